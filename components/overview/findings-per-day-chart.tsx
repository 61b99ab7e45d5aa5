"use client";

import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { SEVERITY_ORDER, type Severity } from "@/lib/detection/severity-model";
import { daysSummary, findingsListHref, SEVERITY_LABELS, type DayBucket } from "@/lib/triage/overview";

/** Stacked from the bottom: low first, critical on top. Colours are CSS variables, so each theme sets its own. */
const STACK_ORDER: readonly Severity[] = ["low", "medium", "high", "critical"];
/** Legend and tooltip list the most severe first, as the stack reads from the top. */
const mostSevereFirst = (item: { dataKey?: unknown }) => -(SEVERITY_ORDER[item.dataKey as Severity] ?? 0);

/**
 * Findings per day of first connection, stacked by severity. A click on a segment opens the list
 * of that day and severity; the table below it holds the same counts as links, for the keyboard
 * and screen readers (the chart is one image to them, so its own keyboard layer is off: no tab
 * stop inside an image).
 */
export function FindingsPerDayChart({ buckets }: { buckets: DayBucket[] }) {
  const router = useRouter();
  const data = buckets.map((bucket) => ({ day: bucket.day, ...bucket.counts }));
  return (
    <figure className="chart-figure overview-chart" role="img" aria-label={daysSummary(buckets)}>
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          {/* MM-DD keeps a month of ticks readable; the tooltip and table give the full day. */}
          <XAxis dataKey="day" tickFormatter={(day: string) => day.slice(5)} minTickGap={8} />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip labelFormatter={(day) => `${day} (UTC)`} cursor={{ fill: "var(--row-hover)" }} itemSorter={mostSevereFirst} />
          <Legend itemSorter={mostSevereFirst} />
          {STACK_ORDER.map((severity) => (
            <Bar
              key={severity}
              dataKey={severity}
              name={SEVERITY_LABELS[severity]}
              stackId="severity"
              fill={`var(--severity-${severity})`}
              maxBarSize={64}
              isAnimationActive={false}
              onClick={(entry) => router.push(findingsListHref({ status: "all", severity, firstSeenDay: (entry.payload as { day: string }).day }))}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <figcaption>By the UTC day of each finding&apos;s first connection, every status. Click a bar to list its findings.</figcaption>
    </figure>
  );
}
