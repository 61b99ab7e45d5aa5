/**
 * The overview page's shaping: counts per day and severity filled into a continuous run of days,
 * the findings-list URL each count links to, and the text a chart's accessible name reads.
 * Pure (the counts come from lib/server/overview-store).
 */
import { z } from "zod";
import { SEVERITY_ORDER, type Severity } from "../detection/severity-model";
import { ALL_SEVERITIES } from "../detection/finding-list";
import { ASSIGNEE_FILTER, STATUS_FILTER } from "./triage-filter";
import type { TriageStatus } from "./triage-state";

/** Most severe first, as legends and tables list them. */
export const SEVERITIES_BY_RANK_DESC: readonly Severity[] = ["critical", "high", "medium", "low"];

export const SEVERITY_LABELS: Record<Severity, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low" };

/** Findings whose first connection fell on `day` (YYYY-MM-DD, UTC) with this severity rank (0 low to 3 critical). */
export interface DaySeverityCount {
  day: string;
  severityRank: number;
  count: number;
}

/** One day of the chart: a count per severity, zero when none. */
export interface DayBucket {
  day: string;
  counts: Record<Severity, number>;
  total: number;
}

/** A run's lookback is 30 days at most: a longer span (a bad clock) is drawn as its days with findings only. */
export const MAX_FILLED_DAYS = 62;

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** The UTC day after `day`, or null when `day` is not a YYYY-MM-DD date. */
export function nextDay(day: string): string | null {
  const time = dayTime(day);
  return time === null ? null : new Date(time + DAY_MS).toISOString().slice(0, 10);
}

function dayTime(day: string): number | null {
  if (!DAY_PATTERN.test(day)) return null;
  const time = Date.parse(`${day}T00:00:00Z`);
  // Date.parse rolls "2024-02-30" over to March: only a real date round-trips.
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day ? null : time;
}

const SEVERITY_BY_RANK = new Map(Object.entries(SEVERITY_ORDER).map(([severity, rank]) => [rank, severity as Severity]));

/**
 * One bucket per day from the first day with findings to the last, oldest first, days without
 * findings included as zeros so a quiet day reads as quiet, not missing. Counts that are not a
 * real date or a known rank are left out (the list could not filter on them either).
 */
export function fillDays(counts: readonly DaySeverityCount[], maxDays = MAX_FILLED_DAYS): DayBucket[] {
  const byDay = new Map<string, DayBucket>();
  for (const { day, severityRank, count } of counts) {
    const severity = SEVERITY_BY_RANK.get(severityRank);
    if (severity === undefined || dayTime(day) === null) continue;
    const bucket = byDay.get(day) ?? emptyBucket(day);
    bucket.counts[severity] += count;
    bucket.total += count;
    byDay.set(day, bucket);
  }
  const days = [...byDay.keys()].sort();
  if (days.length === 0) return [];
  const first = dayTime(days[0])!;
  const span = Math.round((dayTime(days[days.length - 1])! - first) / DAY_MS) + 1;
  if (span > maxDays) return days.map((day) => byDay.get(day)!);
  return Array.from({ length: span }, (_, index) => {
    const day = new Date(first + index * DAY_MS).toISOString().slice(0, 10);
    return byDay.get(day) ?? emptyBucket(day);
  });
}

const emptyBucket = (day: string): DayBucket => ({ day, counts: { critical: 0, high: 0, medium: 0, low: 0 }, total: 0 });

/** What a count on the overview stands for, as the findings list filters it. */
export interface OverviewSlice {
  /** Default "open" (new and investigating), the list's own default. */
  status?: TriageStatus | typeof STATUS_FILTER.open | typeof STATUS_FILTER.all;
  /** A username; null for the unassigned. */
  assignee?: string | null;
  /** Default every severity: the overview counts low findings too, which the list's default queue leaves out. */
  severity?: Severity;
  device?: string;
  process?: string;
  /** A remote IP. */
  destination?: string;
  /** Findings first seen on this day (YYYY-MM-DD, UTC). */
  firstSeenDay?: string;
}

/**
 * The findings list's URL for a slice, so its count there matches the overview's. Values are
 * encoded by URLSearchParams: device and process names are attacker-controlled.
 */
export function findingsListHref(slice: OverviewSlice): string {
  const params = new URLSearchParams();
  // Open is the list's default: left out, so its Status filter shows "Open" as chosen.
  if (slice.status !== undefined && slice.status !== STATUS_FILTER.open) params.set("status", slice.status);
  if (slice.assignee !== undefined) params.set("assignee", slice.assignee ?? ASSIGNEE_FILTER.none);
  params.set("severityRank", slice.severity === undefined ? ALL_SEVERITIES : String(SEVERITY_ORDER[slice.severity]));
  if (slice.device !== undefined) params.set("device", slice.device);
  if (slice.process !== undefined) params.set("process", slice.process);
  if (slice.destination !== undefined) params.set("destination", slice.destination);
  if (slice.firstSeenDay !== undefined) {
    const to = nextDay(slice.firstSeenDay);
    if (to !== null) {
      params.set("firstSeenFrom", slice.firstSeenDay);
      params.set("firstSeenTo", to);
    }
  }
  return `/findings?${params}`;
}

const addressSchema = z.union([z.ipv4(), z.ipv6()]);

/**
 * Whether the list's destination filter takes this address: it ignores anything but an IP, and
 * a remote IP is event text, so it can be anything.
 */
export function isFilterableAddress(address: string): boolean {
  return addressSchema.safeParse(address).success;
}

/** The per-day chart's accessible name: its span, its total, and the total of each severity. */
export function daysSummary(buckets: readonly DayBucket[]): string {
  if (buckets.length === 0) return "Findings per day by severity: none.";
  const total = buckets.reduce((sum, bucket) => sum + bucket.total, 0);
  const bySeverity = SEVERITIES_BY_RANK_DESC.map((severity) => `${buckets.reduce((sum, bucket) => sum + bucket.counts[severity], 0)} ${severity}`);
  const first = buckets[0].day;
  const last = buckets[buckets.length - 1].day;
  const span = first === last ? `on ${first}` : `from ${first} to ${last} (${buckets.length} days)`;
  return `Findings per day by severity, by first connection (UTC), ${span}: ${plural(total, "finding")}; ${bySeverity.join(", ")}.`;
}

export function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}
