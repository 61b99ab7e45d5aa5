import { ConnectionTimeline, IntervalChart } from "@/components/findings/finding-timeline";

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
      <pre className="mono raw-text">{text || empty}</pre>
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
