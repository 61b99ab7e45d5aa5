/**
 * ISO 8601 timestamps as Defender writes them (`2023-12-21T19:59:50.2396695Z`): up to 7
 * fractional digits (Kusto's 100 ns ticks), Z or an offset, `T` or a space between date and time.
 *
 * A parsed timestamp keeps two forms: `text`, normalised to UTC with exactly 7 fractional digits
 * (shown to users and printed in query output, so no precision is lost), and `us`, integer
 * microseconds since the epoch (compared and subtracted by detection; exact in a double).
 */
export interface ParsedTimestamp {
  text: string;
  us: number;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function parseIsoTimestamp(value: string): ParsedTimestamp | null {
  const match = ISO_PATTERN.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = "", zone = "Z"] = match;
  const wholeMs = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  const roundTrip = new Date(wholeMs);
  // Date.UTC silently rolls 2023-02-30 over to March: refuse such dates instead.
  if (
    roundTrip.getUTCFullYear() !== +year ||
    roundTrip.getUTCMonth() !== +month - 1 ||
    roundTrip.getUTCDate() !== +day ||
    +hour > 23 ||
    +minute > 59 ||
    +second > 59
  ) {
    return null;
  }
  const ticks7 = fraction.padEnd(7, "0").slice(0, 7);
  const utcSecondsMs = wholeMs - zoneOffsetMinutes(zone) * 60_000;
  const us = utcSecondsMs * 1000 + Math.floor(+ticks7 / 10);
  const text = `${new Date(utcSecondsMs).toISOString().slice(0, 19)}.${ticks7}Z`;
  return { text, us };
}

function zoneOffsetMinutes(zone: string): number {
  if (zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
}

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;

/** Microseconds since the epoch as the 7-digit ISO text used everywhere else. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(micros).padStart(3, "0")}0Z`;
}
