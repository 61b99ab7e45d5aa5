import { EventText } from "@/components/ui/event-text";
import { formatTimestamp } from "@/components/ui/format";
import { TruncatedText } from "@/components/ui/truncated-text";
import type { AuditEntryView } from "@/lib/server/audit-log";

/** An entry's detail as `key: value` pairs: strings as they are, anything else as JSON. */
function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

/**
 * One page of audit entries. Actors, targets and details hold text anyone can send (the username
 * tried at a failed sign-in, a file name): shown through EventText, cut when long.
 */
export function AuditTable({ entries }: { entries: AuditEntryView[] }) {
  return (
    <div className="table-scroll">
      <table aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Address</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const details = detailText(entry.detail);
            return (
              <tr key={entry.id}>
                <td className="mono nowrap">{formatTimestamp(entry.at)}</td>
                <td>
                  <TruncatedText text={entry.actor} limit={40} label="actor" />
                </td>
                <td className="mono nowrap">{entry.action}</td>
                <td>{entry.target !== null && <TruncatedText text={entry.target} limit={40} label="target" />}</td>
                <td className="mono nowrap">{entry.address !== null && <EventText text={entry.address} />}</td>
                <td className="wide">{details !== "" && <TruncatedText text={details} limit={100} label="details" />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
