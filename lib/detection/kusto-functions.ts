/** The few Kusto built-ins the seed query relies on, with Kusto's semantics. */
import { MICROS_PER_MINUTE } from "../telemetry/iso-timestamp";

/** A case-insensitive set for `in~`. Kusto's `in~` folds case; `==` does not. */
export function caseInsensitiveSet(values: readonly string[]): { has(value: string | null): boolean } {
  const folded = new Set(values.map((value) => value.toLowerCase()));
  return { has: (value) => value !== null && folded.has(value.toLowerCase()) };
}

/**
 * `datetime_diff('minute', later, earlier)`: the number of minute boundaries crossed,
 * not elapsed time (10:05:01 - 10:00:59 is 5).
 */
export function datetimeDiffMinutes(laterUs: number, earlierUs: number): number {
  return Math.floor(laterUs / MICROS_PER_MINUTE) - Math.floor(earlierUs / MICROS_PER_MINUTE);
}

/** `round(x, digits)`: half away from zero. Null in, null out, as in Kusto. */
export function kustoRound(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const scale = 10 ** digits;
  // toPrecision(15) strips binary noise (1.005 * 100 = 100.49999999999999) before rounding.
  const scaled = Number((Math.abs(value) * scale).toPrecision(15));
  return (Math.sign(value) * Math.round(scaled)) / scale;
}

/** `sum()` over a column that may be unknown: nulls are skipped; all-null gives null, not 0. */
export function sumKnown(values: readonly (number | null)[]): number | null {
  let total: number | null = null;
  for (const value of values) {
    if (value !== null) total = (total ?? 0) + value;
  }
  return total;
}
