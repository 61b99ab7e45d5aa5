/** Display helpers shared by tables and charts. Unknown values read "n/a", never 0. */
export function formatNumber(value: number | null, digits = 0): string {
  if (value === null) return "n/a";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** `2026-11-24T08:01:00.0003306Z` as `2026-11-24 08:01:00.000` (UTC, millisecond precision). */
export function formatTimestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** To the second: dense tables (the full time is on the finding's page). */
export function formatTimestampToSecond(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
