import { ConnectionTimeline, IntervalChart } from "@/components/findings/finding-timeline";
import { formatTimestamp } from "@/components/ui/format";
import { EventText } from "@/components/ui/event-text";

/** Label/value pairs shown as a dense grid of facts. */
export function FactList({ facts }: { facts: [string, React.ReactNode][] }) {
  return (
    <dl className="stats">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An attacker-controlled string shown whole, as text, wrapped. */
export function RawTextBlock({ label, text, empty = "(empty)" }: { label: string; text: string | null; empty?: string }) {
  return (
    <>
      <h3 className="subheading">{label}</h3>
      <pre className="mono raw-text">{text ? <EventText text={text} /> : empty}</pre>
    </>
  );
}

type TimelineProps = React.ComponentProps<typeof ConnectionTimeline>;

/** The two charts every finding page shows: connections over time, and the intervals between them. */
export function FindingCharts({ loads, connections }: TimelineProps) {
  return (
    <>
      <h2>Connection timeline</h2>
      <div className="card">
        <ConnectionTimeline loads={loads} connections={connections} />
      </div>
      <h2>Intervals between connections</h2>
      <div className="card">
        <IntervalChart connections={connections} />
      </div>
    </>
  );
}

interface LoadRow {
  eventId: number | null;
  timestamp: string;
  timeUs: number;
  cryptoLib: string;
  processId?: number;
}

/** The crypto library loads behind a finding; the PID column appears when the loads carry one. */
export function CryptoLoadsSection({ loads }: { loads: LoadRow[] }) {
  const withPid = loads.some((load) => load.processId !== undefined);
  return (
    <section aria-labelledby="loads-heading">
      <h2 id="loads-heading">Crypto library loads ({loads.length})</h2>
      {loads.length === 0 ? (
        <p className="muted">None: this process loaded no crypto library in the lookback.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Library</th>
                {withPid && (
                  <th scope="col" className="num">
                    PID
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {loads.map((load) => (
                <tr key={`${load.eventId}-${load.timeUs}-${load.cryptoLib}`}>
                  <td className="mono nowrap">{formatTimestamp(load.timestamp)}</td>
                  <td className="mono">{load.cryptoLib}</td>
                  {withPid && <td className="num">{load.processId}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
