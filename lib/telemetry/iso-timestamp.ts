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
  return parseCanonicalTimestamp(value) ?? parseAnyIsoTimestamp(value);
}

/**
 * The general reader: offsets, a space for `T`, lower case, up to 9 fractional digits.
 * Exported so tests can hold the fast path below to the same answers.
 */
export function parseAnyIsoTimestamp(value: string): ParsedTimestamp | null {
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

/**
 * Fast path for the form exports actually use, `YYYY-MM-DDTHH:MM:SS[.f{1,7}]Z`, read digit by
 * digit with the day's epoch cached (a file holds few distinct days): bulk loads parse millions.
 * Undefined for anything else, which goes to the general reader, so answers never differ.
 */
let cachedDay = "";
let cachedDayMs = 0;

export function parseCanonicalTimestamp(value: string): ParsedTimestamp | undefined {
  const length = value.length;
  if (length < 20 || length > 28 || length === 21) return undefined;
  if (value.charCodeAt(length - 1) !== 90 /* Z */ || value.charCodeAt(10) !== 84 /* T */) return undefined;
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58 || (length > 20 && value.charCodeAt(19) !== 46)) return undefined;
  const day = value.slice(0, 10);
  if (day !== cachedDay) {
    const dayMs = parseDay(day);
    if (dayMs === undefined) return undefined;
    cachedDay = day;
    cachedDayMs = dayMs;
  }
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let ticks = 0;
  for (let position = 20; position < length - 1; position++) {
    const digit = value.charCodeAt(position) - 48;
    if (digit < 0 || digit > 9) return undefined;
    ticks = ticks * 10 + digit;
  }
  for (let digits = Math.max(length - 21, 0); digits < 7; digits++) ticks *= 10;
  const us = (cachedDayMs + (hour * 3600 + minute * 60 + second) * 1000) * 1000 + Math.floor(ticks / 10);
  // Seven digits already is the normalised text: no new string.
  const text = length === 28 ? value : `${value.slice(0, 19)}.${String(ticks).padStart(7, "0")}Z`;
  return { text, us };
}

/** Epoch ms of `YYYY-MM-DD`, or undefined when it is not a real date (as the general reader decides). */
function parseDay(day: string): number | undefined {
  if (day.charCodeAt(4) !== 45 || day.charCodeAt(7) !== 45) return undefined;
  const year = twoDigits(day, 0) * 100 + twoDigits(day, 2);
  const month = twoDigits(day, 5);
  const date = twoDigits(day, 8);
  if (year < 0 || month < 0 || date < 0 || twoDigits(day, 0) < 0 || twoDigits(day, 2) < 0) return undefined;
  const ms = Date.UTC(year, month - 1, date);
  const roundTrip = new Date(ms);
  if (roundTrip.getUTCFullYear() !== year || roundTrip.getUTCMonth() !== month - 1 || roundTrip.getUTCDate() !== date) return undefined;
  return ms;
}

/** The two-digit number at `position`, or -1 when either character is not a digit. */
function twoDigits(text: string, position: number): number {
  const tens = text.charCodeAt(position) - 48;
  const units = text.charCodeAt(position + 1) - 48;
  if (tens < 0 || tens > 9 || units < 0 || units > 9) return -1;
  return tens * 10 + units;
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
