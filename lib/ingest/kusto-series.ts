/**
 * The hunting query's result (lib/export/tuned-kql, `variant=series`) exported from Sentinel,
 * Defender Advanced Hunting or ADX as CSV, read back: each row is one process's series of
 * connections to one address, with the crypto loads before it. Kusto writes its dynamic columns
 * as JSON arrays and its datetimes in ISO 8601.
 *
 * A row becomes the events it summarises (one connection event per time, one image load per crypto
 * load), as Defender rows of the two tables with the process's columns, so detection, scoring,
 * suppressions and triage treat them like any upload. What the series does not carry stays
 * unknown: no ReportId, and the process's own creation event.
 * The same load appears in every series of its process: it is one event, stored once.
 * Pure.
 */
import { SERIES_BYTES_COLUMN } from "../export/tuned-kql";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import { UNKNOWN_EVENT_FIELDS, type TelemetryEvent } from "../telemetry/telemetry-event";
import { PID_MAX, PORT_MAX } from "./normalize-mde-row";
import { describeValue } from "./normalize-sysmon-event";

/** The columns that make a CSV a series export; the query writes more (see SERIES_COLUMNS), all optional here. */
export const REQUIRED_SERIES_COLUMNS = ["DeviceName", "ProcessId", "ProcessName", "RemoteIP", "ConnectionTimes", "ConnectionPorts", "CryptoLoadTimes", "CryptoLibs"] as const;

export function isKustoSeriesHeader(columns: readonly string[]): boolean {
  return REQUIRED_SERIES_COLUMNS.every((column) => columns.includes(column)) && !columns.includes("ActionType");
}

/**
 * A valid row's events, made one at a time as they are taken: a row may list a million
 * connections (make_list's limit), far more events than memory should hold at once.
 */
export type SeriesRowOutcome = { outcome: "events"; count: number; events: Generator<TelemetryEvent> } | { outcome: "rejected"; message: string };

class SeriesRowError extends Error {}

export function seriesRowEvents(record: Record<string, unknown>): SeriesRowOutcome {
  try {
    return { outcome: "events", ...readSeriesRow(record) };
  } catch (error) {
    if (error instanceof SeriesRowError) return { outcome: "rejected", message: error.message };
    throw error;
  }
}

/** Checks the whole row first, so a row is stored whole or not at all. */
function readSeriesRow(record: Record<string, unknown>): { count: number; events: Generator<TelemetryEvent> } {
  const deviceName = requiredText(record, "DeviceName");
  const processId = wholeNumber(text(record, "ProcessId"), "ProcessId", PID_MAX);
  const remoteIp = requiredText(record, "RemoteIP");
  const connectionTimes = jsonArray(record, "ConnectionTimes").map((value, index) => timestamp(value, `ConnectionTimes[${index}]`));
  const connectionPorts = jsonArray(record, "ConnectionPorts").map((value, index) => wholeNumber(value, `ConnectionPorts[${index}]`, PORT_MAX));
  const connectionUrls = text(record, "ConnectionUrls") === null ? null : jsonArray(record, "ConnectionUrls").map((value, index) => optionalString(value, `ConnectionUrls[${index}]`));
  const connectionBytes = text(record, SERIES_BYTES_COLUMN) === null ? null : jsonArray(record, SERIES_BYTES_COLUMN).map((value, index) => bytePair(value, `${SERIES_BYTES_COLUMN}[${index}]`));
  const loadTimes = jsonArray(record, "CryptoLoadTimes").map((value, index) => timestamp(value, `CryptoLoadTimes[${index}]`));
  const libraries = jsonArray(record, "CryptoLibs").map((value, index) => {
    const library = optionalString(value, `CryptoLibs[${index}]`);
    if (library === null) throw new SeriesRowError(`CryptoLibs[${index}]: is empty`);
    return library;
  });

  if (connectionTimes.length === 0) throw new SeriesRowError("ConnectionTimes: holds no connection");
  sameLength("ConnectionPorts", connectionPorts, "ConnectionTimes", connectionTimes);
  if (connectionUrls) sameLength("ConnectionUrls", connectionUrls, "ConnectionTimes", connectionTimes);
  if (connectionBytes) sameLength(SERIES_BYTES_COLUMN, connectionBytes, "ConnectionTimes", connectionTimes);
  sameLength("CryptoLibs", libraries, "CryptoLoadTimes", loadTimes);
  const count = text(record, "ConnectionCount");
  if (count !== null && wholeNumber(count, "ConnectionCount", Number.MAX_SAFE_INTEGER) !== connectionTimes.length) {
    throw new SeriesRowError(`ConnectionCount: says ${count} but ConnectionTimes holds ${connectionTimes.length}`);
  }

  const creationTime = text(record, "ProcessCreationTime");
  const process = {
    ...UNKNOWN_EVENT_FIELDS,
    deviceId: text(record, "DeviceId"),
    deviceName,
    initiatingProcessFileName: requiredText(record, "ProcessName"),
    initiatingProcessFolderPath: text(record, "ProcessFolder"),
    initiatingProcessId: processId,
    initiatingProcessCommandLine: text(record, "ProcessCmd"),
    initiatingProcessCreationTime: creationTime === null ? null : timestamp(creationTime, "ProcessCreationTime").text,
    initiatingProcessAccountName: text(record, "AccountName"),
    initiatingProcessSHA256: text(record, "ProcessSHA256"),
    source: "mde" as const,
  };
  function* events(): Generator<TelemetryEvent> {
    for (const [index, time] of loadTimes.entries()) {
      yield { ...process, kind: "image_load", actionType: "ImageLoaded", timestamp: time.text, timeUs: time.us, fileName: libraries[index] };
    }
    for (const [index, time] of connectionTimes.entries()) {
      yield {
        ...process,
        kind: "network",
        actionType: "ConnectionSuccess",
        timestamp: time.text,
        timeUs: time.us,
        remoteIp,
        remotePort: connectionPorts[index],
        // The query keeps public addresses only.
        remoteIpType: "Public",
        remoteUrl: connectionUrls?.[index] ?? null,
        sentBytes: connectionBytes?.[index][0] ?? null,
        receivedBytes: connectionBytes?.[index][1] ?? null,
      };
    }
  }
  return { count: loadTimes.length + connectionTimes.length, events: events() };
}

/** A cell as Defender rows keep it: empty is no value, anything else as written. */
function text(record: Record<string, unknown>, column: string): string | null {
  const value = record[column];
  if (value === undefined || value === null || value === "") return null;
  return String(value);
}

function requiredText(record: Record<string, unknown>, column: string): string {
  const value = text(record, column)?.trim();
  if (!value) throw new SeriesRowError(`${column}: is required`);
  return value;
}

/** A dynamic column as Kusto writes it in CSV: a JSON array. */
function jsonArray(record: Record<string, unknown>, column: string): unknown[] {
  const value = text(record, column);
  if (value === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) throw new SeriesRowError(`${column}: expected a JSON array, as Kusto writes a dynamic column${describeValue(value)}`);
  return parsed;
}

function timestamp(value: unknown, field: string): { text: string; us: number } {
  const parsed = typeof value === "string" ? parseIsoTimestamp(value) : null;
  if (parsed === null) throw new SeriesRowError(`${field}: expected an ISO 8601 time${describeValue(value)}`);
  return parsed;
}

function wholeNumber(value: unknown, field: string, max: number): number {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 0 || number > max) {
    throw new SeriesRowError(`${field}: expected a whole number from 0 to ${max}${describeValue(value)}`);
  }
  return number;
}

function optionalString(value: unknown, field: string): string | null {
  if (value === null || value === "") return null;
  if (typeof value !== "string") throw new SeriesRowError(`${field}: expected text${describeValue(value)}`);
  return value;
}

/** [SentBytes, ReceivedBytes] of one connection; either may be null (unknown). */
function bytePair(value: unknown, field: string): [number | null, number | null] {
  if (!Array.isArray(value) || value.length !== 2) throw new SeriesRowError(`${field}: expected [SentBytes, ReceivedBytes]${describeValue(value)}`);
  return [value[0] === null ? null : wholeNumber(value[0], field, Number.MAX_SAFE_INTEGER), value[1] === null ? null : wholeNumber(value[1], field, Number.MAX_SAFE_INTEGER)];
}

function sameLength(column: string, values: readonly unknown[], reference: string, referenceValues: readonly unknown[]): void {
  if (values.length !== referenceValues.length) {
    throw new SeriesRowError(`${column}: holds ${values.length} values but ${reference} holds ${referenceValues.length}`);
  }
}
