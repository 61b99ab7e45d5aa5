/** A `datetime-local` input's value: a date and time without a zone, to the minute or finer. */
const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A `datetime-local` value read as UTC (every time on these pages is UTC), as an ISO instant:
 * `2026-03-01T08:30` gives `2026-03-01T08:30:00.000Z`. Null when it is not such a value or names
 * no real time (`2026-02-30T00:00`, which Date would quietly roll over to March). Pure.
 */
export function datetimeLocalAsUtc(value: string): string | null {
  if (!DATETIME_LOCAL.test(value)) return null;
  const instant = new Date(`${value}Z`);
  if (Number.isNaN(instant.getTime())) return null;
  const iso = instant.toISOString();
  return iso.startsWith(value.slice(0, 16)) ? iso : null;
}
