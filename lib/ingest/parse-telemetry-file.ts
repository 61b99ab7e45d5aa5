/**
 * One uploaded file to normalised events: format recognised from content, every row validated,
 * bad rows reported by line while the good ones are kept.
 */
import { MDE_TABLE_BY_KIND, type TelemetryEvent, type TelemetryKind } from "../telemetry/telemetry-event";
import { classifyRemoteAddress } from "../telemetry/classify-remote-address";
import { normalizeMdeRow, REQUIRED_MDE_COLUMNS, type NormalizedRow } from "./normalize-mde-row";
import { isSysmonRecord, normalizeSysmonRecord } from "./normalize-sysmon-event";
import { readRawRows, type RawRow, type TelemetryFormat } from "./read-raw-rows";
import { TelemetryFileError } from "./telemetry-file-error";

/** How many rejected rows are listed; all of them are counted. */
export const MAX_LISTED_ERRORS = 100;

export interface RowError {
  line: number;
  message: string;
}

export interface ParsedTelemetryFile {
  format: TelemetryFormat;
  /** MDE table names found, e.g. ["DeviceNetworkEvents"]. */
  tables: string[];
  events: TelemetryEvent[];
  rejected: number;
  /** Rows of Defender tables this product does not analyse (in mixed exports). */
  ignored: number;
  errors: RowError[];
}

const SYSMON_LABEL_BY_KIND: Record<TelemetryKind, string> = {
  process: "Sysmon 1 (process create)",
  network: "Sysmon 3 (network connection)",
  image_load: "Sysmon 7 (image loaded)",
};

export function parseTelemetryFile(text: string): ParsedTelemetryFile {
  const source = readRawRows(text);
  // A CSV or an API document names its columns up front: refuse a wrong file before reading rows.
  const missingColumns = REQUIRED_MDE_COLUMNS.filter((column) => !source.columns.includes(column));
  if ((source.format === "csv" || source.format === "mde-api-json") && missingColumns.length > 0) {
    throw notTelemetry(`it has no ${missingColumns.join(", ")} column${missingColumns.length > 1 ? "s" : ""}. Found: ${summarizeColumns(source.columns)}`);
  }

  const events: TelemetryEvent[] = [];
  const errors: RowError[] = [];
  const labels = new Set<string>();
  let rejected = 0;
  let ignored = 0;
  let telemetryRows = 0;
  for (const row of source.rows) {
    if (row.record && looksLikeTelemetry(row.record)) telemetryRows++;
    const normalized = normalizeRow(row);
    if (normalized.outcome === "event") {
      events.push(normalized.event);
      labels.add(tableLabel(normalized.event));
    } else if (normalized.outcome === "ignored") {
      ignored++;
    } else {
      rejected++;
      if (errors.length < MAX_LISTED_ERRORS) errors.push({ line: row.line, message: normalized.message });
    }
  }

  if (telemetryRows === 0) throw notTelemetry(`no row has Defender columns (Timestamp, DeviceName, ActionType) or Windows event fields (EventID)`);
  if (events.length === 0) {
    throw new TelemetryFileError(
      rejected > 0
        ? `No row could be stored: all ${rejected} telemetry rows were rejected.`
        : "The file holds no process, network or image-load events (DeviceProcessEvents, DeviceNetworkEvents, DeviceImageLoadEvents, Sysmon 1/3/7).",
      422,
      { rejected, ignored, errors },
    );
  }
  const tables = [...ALL_TABLE_LABELS].filter((label) => labels.has(label));
  return { format: source.format, tables, events, rejected, ignored, errors };
}

const ALL_TABLE_LABELS = [...Object.values(MDE_TABLE_BY_KIND), ...Object.values(SYSMON_LABEL_BY_KIND)];

function tableLabel(event: TelemetryEvent): string {
  return event.source === "sysmon" ? SYSMON_LABEL_BY_KIND[event.kind] : MDE_TABLE_BY_KIND[event.kind];
}

function notTelemetry(reason: string): TelemetryFileError {
  return new TelemetryFileError(`This is not a Defender Advanced Hunting export or a Sysmon log: ${reason}.`, 422);
}

/** A Defender row (it has an ActionType) or a Windows event record (Sysmon or another channel). */
function looksLikeTelemetry(record: Record<string, unknown>): boolean {
  return "ActionType" in record || isWindowsEventRecord(record);
}

function isWindowsEventRecord(record: Record<string, unknown>): boolean {
  return "EventID" in record || "winlog" in record || "winlog.event_id" in record;
}

/** Each row by its own source, so a file may mix Defender rows and Sysmon records. */
function normalizeRow(row: RawRow): NormalizedRow {
  if (!row.record) return { outcome: "rejected", message: row.error ?? "unreadable row" };
  if (!isSysmonRecord(row.record)) {
    // Security, PowerShell and other channels ride along in Sysmon captures: not ours to judge.
    return isWindowsEventRecord(row.record) ? { outcome: "ignored" } : normalizeMdeRow(row.record);
  }
  const normalized = normalizeSysmonRecord(row.record);
  // Sysmon has no RemoteIPType: classify the address here so both detection modes can use it.
  if (normalized.outcome === "event" && normalized.event.kind === "network" && normalized.event.remoteIpType === null) {
    normalized.event.remoteIpType = classifyRemoteAddress(normalized.event.remoteIp);
  }
  return normalized;
}

function summarizeColumns(columns: string[]): string {
  if (columns.length === 0) return "no columns";
  const shown = columns.slice(0, 6).map((column) => (column.length > 30 ? `${column.slice(0, 30)}…` : column));
  return shown.join(", ") + (columns.length > 6 ? ` and ${columns.length - 6} more` : "");
}
