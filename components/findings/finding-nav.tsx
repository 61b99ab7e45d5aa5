import Link from "next/link";

interface Props {
  id: string;
  /** The list's query the finding was opened from ("" for the default list). */
  list: string;
  previous: string | null;
  next: string | null;
  /** 1-based place in the list, null when the list does not hold it (filtered out since). */
  position: number | null;
  matching: number;
  /** The edit permission: offers "Suppress this". */
  canEdit: boolean;
}

/** Back to the list it came from, its neighbours there, and the finding's report for a ticket. */
export function FindingNav({ id, list, previous, next, position, matching, canEdit }: Props) {
  const withList = (findingId: string) => (list ? `/findings/${findingId}?${new URLSearchParams({ list })}` : `/findings/${findingId}`);
  return (
    <nav className="finding-nav" aria-label="Finding navigation">
      <Link href={list ? `/findings?${list}` : "/findings"}>← Back to the list</Link>
      {position !== null && (
        <span className="muted">
          {position.toLocaleString("en-US")} of {matching.toLocaleString("en-US")}
        </span>
      )}
      <NeighbourLink href={previous && withList(previous)} rel="prev" label="Previous" />
      <NeighbourLink href={next && withList(next)} rel="next" label="Next" />
      {canEdit && (
        <Link className="button button-quiet" href={`/allowlists?suppress=${id}#suppressions`}>
          Suppress this
        </Link>
      )}
      <a className="button button-quiet" href={`/api/findings/${id}/report`} download>
        Report (Markdown)
      </a>
    </nav>
  );
}

/** A link to a neighbour in the list, shown disabled at either end. */
function NeighbourLink({ href, rel, label }: { href: string | null; rel: "prev" | "next"; label: string }) {
  if (href === null) {
    return (
      <span className="button button-quiet" aria-disabled="true">
        {label}
      </span>
    );
  }
  return (
    <Link className="button button-quiet" href={href} rel={rel}>
      {label}
    </Link>
  );
}
