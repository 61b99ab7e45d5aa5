"use client";

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatClock } from "@/components/ui/format";

const WINDOW_MS = 15 * 60_000;
const MARKER_MERGE_MS = 30_000;
// Distinguishable in both themes and for common colour-vision deficiencies (Okabe-Ito).
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8B6F00", "#7F7F7F"];

/** What the charts need of a load and a connection; both detection modes' evidence fits. */
interface TimelineLoad {
  timeUs: number;
  cryptoLib: string;
  eventId: number | null;
}

interface TimelineConnection {
  timeUs: number;
  remoteIp: string;
  remotePort: number;
}

interface Props {
  loads: TimelineLoad[];
  connections: TimelineConnection[];
}

/** Connections over time by destination, crypto DLL loads as markers, 15-minute windows shaded. */
export function ConnectionTimeline({ loads, connections }: Props) {
  const endpoints = [...new Set(connections.map((c) => `${c.remoteIp}:${c.remotePort}`))];
  const series = endpoints.map((endpoint, index) => ({
    endpoint,
    color: PALETTE[index % PALETTE.length],
    points: connections
      .filter((c) => `${c.remoteIp}:${c.remotePort}` === endpoint)
      .map((c) => ({ t: c.timeUs / 1000, lane: index + 1 })),
  }));
  const times = [...connections.map((c) => c.timeUs / 1000), ...loads.map((l) => l.timeUs / 1000)];
  const domain: [number, number] = [Math.min(...times), Math.max(...times, ...loads.map((l) => l.timeUs / 1000 + WINDOW_MS))];

  return (
    <figure className="chart-figure" role="img" aria-label={`Timeline of ${connections.length} connections to ${endpoints.length} destinations and ${loads.length} crypto library loads`}>
      <ResponsiveContainer width="100%" height={Math.max(220, 90 + endpoints.length * 36)}>
        <ScatterChart margin={{ top: 18, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="t" domain={domain} scale="time" tickFormatter={formatClock} name="Time (UTC)" />
          <YAxis type="number" dataKey="lane" domain={[0, endpoints.length + 1]} ticks={endpoints.map((_, i) => i + 1)} tickFormatter={(lane: number) => endpoints[lane - 1] ?? ""} width={150} allowDecimals={false} />
          {loads.map((load) => (
            <ReferenceArea key={`window-${load.eventId ?? load.timeUs}-${load.cryptoLib}`} x1={load.timeUs / 1000} x2={load.timeUs / 1000 + WINDOW_MS} fill="var(--window)" strokeOpacity={0} ifOverflow="extendDomain" />
          ))}
          {loadMarkers(loads).map((marker) => (
            <ReferenceLine key={`load-${marker.t}`} x={marker.t} stroke="var(--danger)" strokeDasharray="4 2" label={{ value: marker.label, position: "top", fontSize: 10, fill: "var(--danger)" }} />
          ))}
          <Tooltip cursor={{ strokeDasharray: "3 3" }} formatter={(value, name) => (name === "Time (UTC)" ? formatClock(Number(value)) : value)} labelFormatter={() => ""} />
          <Legend />
          {series.map((s) => (
            <Scatter key={s.endpoint} name={s.endpoint} data={s.points} fill={s.color} isAnimationActive={false} />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
      <figcaption>
        Each dot is a connection, coloured by destination. Dashed red lines are crypto DLL loads; shaded bands are the 15-minute
        windows in which the seed query correlates connections with a load.
      </figcaption>
    </figure>
  );
}

/** Loads a few seconds apart share one marker, so their labels do not print over each other. */
function loadMarkers(loads: TimelineLoad[]): { t: number; label: string }[] {
  const markers: { t: number; libs: string[] }[] = [];
  for (const load of loads) {
    const t = load.timeUs / 1000;
    const last = markers.at(-1);
    if (last && t - last.t < MARKER_MERGE_MS) {
      if (!last.libs.includes(load.cryptoLib)) last.libs.push(load.cryptoLib);
    } else {
      markers.push({ t, libs: [load.cryptoLib] });
    }
  }
  return markers.map((marker) => ({ t: marker.t, label: marker.libs.join(", ") }));
}

/** Seconds between consecutive connections of the process, in time order. */
export function IntervalChart({ connections }: { connections: TimelineConnection[] }) {
  const intervals = connections.slice(1).map((c, index) => ({ t: c.timeUs / 1000, seconds: (c.timeUs - connections[index].timeUs) / 1_000_000 }));
  if (intervals.length === 0) return <p className="muted">One connection only: no interval to draw.</p>;
  return (
    <figure className="chart-figure" role="img" aria-label={`Intervals between ${connections.length} consecutive connections`}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={intervals} margin={{ top: 10, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="t" domain={["dataMin", "dataMax"]} scale="time" tickFormatter={formatClock} />
          <YAxis dataKey="seconds" unit=" s" width={70} />
          <Tooltip labelFormatter={(t) => `${formatClock(Number(t))} UTC`} formatter={(value) => [`${Number(value).toFixed(3)} s`, "Interval"]} />
          <Line type="linear" dataKey="seconds" stroke="#0072B2" dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <figcaption>Seconds since the previous connection. A flat line is a regular beacon.</figcaption>
    </figure>
  );
}
