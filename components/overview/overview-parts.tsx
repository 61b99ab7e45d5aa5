import Link from "next/link";
import { EventText } from "@/components/ui/event-text";
import { findingsListHref, SEVERITIES_BY_RANK_DESC, SEVERITY_LABELS, type DayBucket, type OverviewSlice } from "@/lib/triage/overview";

export interface CountItem {
  /** React key and, for event strings, the text shown. */
  key: string;
  label: React.ReactNode;
  count: number;
  /** What the count stands for in the findings list; null when the list cannot filter on it. */
  slice: OverviewSlice | null;
}

/**
 * Labels with their counts, each label a link to the findings it counts. A bar behind each row
 * shows its share of the largest, so a list reads at a glance.
 */
export function CountList({ items, label, empty }: { items: CountItem[]; label: string; empty: string }) {
  if (items.length === 0) return <p className="muted">{empty}</p>;
  const largest = Math.max(...items.map((item) => item.count), 1);
  return (
    <ul className="count-list" aria-label={label}>
      {items.map((item) => (
        <li key={item.key}>
          <span className="count-bar" aria-hidden="true" style={{ width: `${(100 * item.count) / largest}%` }} />
          {item.slice ? (
            <Link className="count-label" href={findingsListHref(item.slice)}>
              {item.label}
            </Link>
          ) : (
            <span className="count-label">{item.label}</span>
          )}{" "}
          <span className="count-value">{item.count.toLocaleString("en-US")}</span>
        </li>
      ))}
    </ul>
  );
}

/** A device or process name as the list shows it: text only (attacker-controlled), "(unnamed)" when empty. */
export function EventName({ name }: { name: string }) {
  return name ? <EventText text={name} /> : <span className="muted">(unnamed)</span>;
}

/** The per-day chart's counts as a table of links: the chart's keyboard and screen-reader equivalent. */
export function FindingsPerDayTable({ buckets }: { buckets: DayBucket[] }) {
  return (
    <div className="table-scroll scroll-y overview-day-table">
      <table aria-label="Findings per day by severity">
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            {SEVERITIES_BY_RANK_DESC.map((severity) => (
              <th key={severity} scope="col" className="num">
                <span className={`severity-swatch severity-swatch-${severity}`} aria-hidden="true" />
                {SEVERITY_LABELS[severity]}
              </th>
            ))}
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {/* Newest first: the latest activity is what an analyst looks for. */}
          {[...buckets].reverse().map((bucket) => (
            <tr key={bucket.day}>
              <td className="mono nowrap">{bucket.day}</td>
              {SEVERITIES_BY_RANK_DESC.map((severity) => (
                <td key={severity} className="num">
                  <DayCount count={bucket.counts[severity]} slice={{ status: "all", severity, firstSeenDay: bucket.day }} what={`${severity} findings first seen ${bucket.day}`} />
                </td>
              ))}
              <td className="num">
                <DayCount count={bucket.total} slice={{ status: "all", firstSeenDay: bucket.day }} what={`findings first seen ${bucket.day}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A count linking to its findings; a zero is plain text (its list would be empty). */
function DayCount({ count, slice, what }: { count: number; slice: OverviewSlice; what: string }) {
  if (count === 0) return <span className="muted">0</span>;
  return (
    <Link href={findingsListHref(slice)} aria-label={`${count.toLocaleString("en-US")} ${what}`}>
      {count.toLocaleString("en-US")}
    </Link>
  );
}
