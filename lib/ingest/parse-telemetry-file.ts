/**
 * One uploaded file to normalised events: format recognised from content, every row validated,
 * bad rows reported by line while the good ones are kept.
 */
import { MDE_TABLE_BY_KIND, type TelemetryEvent, type TelemetryKind } from "../telemetry/telemetry-event";
import { normalizeMdeRow, REQUIRED_MDE_COLUMNS } from "./normalize-mde-row";
import { readRawRows, type TelemetryFormat } from "./read-raw-rows";
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

export function parseTelemetryFile(text: string): ParsedTelemetryFile {
  const source = readRawRows(text);
  const missingColumns = REQUIRED_MDE_COLUMNS.filter((column) => !source.columns.includes(column));
  if (missingColumns.length > 0) {
    throw new TelemetryFileError(
      `This is not a Defender Advanced Hunting export: it has no ${missingColumns.join(", ")} column` +
        `${missingColumns.length > 1 ? "s" : ""}. Found: ${summarizeColumns(source.columns)}.`,
      422,
    );
  }

  const events: TelemetryEvent[] = [];
  const errors: RowError[] = [];
  const kinds = new Set<TelemetryKind>();
  let rejected = 0;
  let ignored = 0;
  for (const row of source.rows) {
    const normalized = row.record ? normalizeMdeRow(row.record) : ({ outcome: "rejected", message: row.error ?? "unreadable row" } as const);
    if (normalized.outcome === "event") {
      events.push(normalized.event);
      kinds.add(normalized.event.kind);
    } else if (normalized.outcome === "ignored") {
      ignored++;
    } else {
      rejected++;
      if (errors.length < MAX_LISTED_ERRORS) errors.push({ line: row.line, message: normalized.message });
    }
  }

  if (events.length === 0) {
    throw new TelemetryFileError(
      rejected > 0
        ? `No row could be stored: all ${rejected} telemetry rows were rejected.`
        : "The file holds no DeviceImageLoadEvents, DeviceNetworkEvents or DeviceProcessEvents rows.",
      422,
      { rejected, ignored, errors },
    );
  }
  const tables = (Object.keys(MDE_TABLE_BY_KIND) as TelemetryKind[]).filter((kind) => kinds.has(kind)).map((kind) => MDE_TABLE_BY_KIND[kind]);
  return { format: source.format, tables, events, rejected, ignored, errors };
}

function summarizeColumns(columns: string[]): string {
  if (columns.length === 0) return "no columns";
  const shown = columns.slice(0, 6).map((column) => (column.length > 30 ? `${column.slice(0, 30)}…` : column));
  return shown.join(", ") + (columns.length > 6 ? ` and ${columns.length - 6} more` : "");
}
