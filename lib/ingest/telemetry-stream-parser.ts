/**
 * Parses a telemetry file as it arrives, in chunks of text, with bounded memory: CSV and NDJSON
 * are cut at record boundaries and parsed block by block; events leave in batches through a
 * callback. Whole-document formats (the API's JSON, a JSON array, event XML) cannot be cut, so
 * they are collected up to a limit and parsed at the end.
 *
 * Pure: no I/O; the caller feeds text and stores batches.
 */
import { classifyRemoteAddress } from "../telemetry/classify-remote-address";
import { MDE_TABLE_BY_KIND, type TelemetryEvent, type TelemetryKind } from "../telemetry/telemetry-event";
import { detachedCopy } from "./detached-copy";
import { normalizeMdeRow, REQUIRED_MDE_COLUMNS, type NormalizedRow } from "./normalize-mde-row";
import { isSysmonRecord, normalizeSysmonRecord } from "./normalize-sysmon-event";
import { readRawRows, type RawRow, type RawRowSource, type TelemetryFormat } from "./read-raw-rows";
import { TelemetryFileError } from "./telemetry-file-error";

/** How many rejected rows are listed; all of them are counted. */
export const MAX_LISTED_ERRORS = 100;

export interface RowError {
  line: number;
  message: string;
}

export interface TelemetryParseSummary {
  format: TelemetryFormat;
  /** Tables found: Defender table names and Sysmon event labels. */
  tables: string[];
  accepted: number;
  rejected: number;
  /** Rows of tables or channels this product does not analyse. */
  ignored: number;
  errors: RowError[];
}

export interface StreamParserLimits {
  /** Events per batch handed to the callback. */
  batchSize: number;
  /** Longest CSV record or NDJSON line, in characters; longer is a 400. */
  maxRecordChars: number;
  /** Largest whole document (API JSON, JSON array, XML), in characters; larger is a 413. */
  maxDocumentChars: number;
}

export const DEFAULT_STREAM_LIMITS: StreamParserLimits = { batchSize: 5000, maxRecordChars: 4 * 1024 * 1024, maxDocumentChars: 256 * 1024 * 1024 };

const SYSMON_LABEL_BY_KIND: Record<TelemetryKind, string> = {
  process: "Sysmon 1 (process create)",
  network: "Sysmon 3 (network connection)",
  image_load: "Sysmon 7 (image loaded)",
};
const ALL_TABLE_LABELS = [...Object.values(MDE_TABLE_BY_KIND), ...Object.values(SYSMON_LABEL_BY_KIND)];

type Mode = "detect" | "csv" | "ndjson" | "document";

export class TelemetryStreamParser {
  private mode: Mode = "detect";
  private format: TelemetryFormat | null = null;
  private pending = "";
  private started = false;
  /** Physical lines before `pending`. */
  private linesConsumed = 0;
  /** CSV: the header record's text and how many lines it spans; prepended to every block. */
  private csvHeader: { text: string; lines: number } | null = null;
  /** CSV boundary scan state over `pending`: where the scan stopped and whether inside quotes there. */
  private scanPosition = 0;
  private insideQuotes = false;

  private batch: TelemetryEvent[] = [];
  private readonly labels = new Set<string>();
  private readonly errors: RowError[] = [];
  private accepted = 0;
  private rejected = 0;
  private ignored = 0;
  private telemetryRows = 0;

  constructor(
    private readonly onEvents: (events: TelemetryEvent[]) => void,
    private readonly limits: StreamParserLimits = DEFAULT_STREAM_LIMITS,
  ) {}

  write(chunk: string): void {
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.pending += chunk;
    if (this.mode === "detect") this.detectFormat(false);
    if (this.mode === "csv") this.drainCsv(false);
    else if (this.mode === "ndjson") this.drainNdjson(false);
    else if (this.mode === "document" && this.pending.length > this.limits.maxDocumentChars) {
      throw new TelemetryFileError(
        `This ${this.format === null ? "JSON or XML" : this.format} document is larger than ${Math.round(this.limits.maxDocumentChars / 1048576)} MiB; whole documents cannot be streamed: export CSV or NDJSON instead.`,
        413,
      );
    }
  }

  end(): TelemetryParseSummary {
    if (this.mode === "detect") this.detectFormat(true);
    if (this.mode === "detect") throw new TelemetryFileError("The file is empty.", 400);
    if (this.mode === "csv") this.drainCsv(true);
    else if (this.mode === "ndjson") this.drainNdjson(true);
    else this.consume(readRawRows(this.pending), 0);
    this.pending = "";
    this.flush();

    if (this.telemetryRows === 0) throw notTelemetry("no row has Defender columns (Timestamp, DeviceName, ActionType) or Windows event fields (EventID)");
    if (this.accepted === 0) {
      throw new TelemetryFileError(
        this.rejected > 0
          ? `No row could be stored: all ${this.rejected} telemetry rows were rejected.`
          : "The file holds no process, network or image-load events (DeviceProcessEvents, DeviceNetworkEvents, DeviceImageLoadEvents, Sysmon 1/3/7).",
        422,
        { rejected: this.rejected, ignored: this.ignored, errors: this.errors },
      );
    }
    return {
      format: this.format as TelemetryFormat,
      tables: ALL_TABLE_LABELS.filter((label) => this.labels.has(label)),
      accepted: this.accepted,
      rejected: this.rejected,
      ignored: this.ignored,
      errors: this.errors,
    };
  }

  /** CSV unless the content starts like JSON or XML; NDJSON when the first line is a JSON object. */
  private detectFormat(atEnd: boolean): void {
    const first = this.pending.trimStart()[0];
    if (first === undefined) return;
    if (/[\u0000-\u0008\u000e-\u001f]/.test(this.pending.slice(0, 4096))) {
      throw new TelemetryFileError("The file is binary, not a CSV, JSON or XML telemetry export (a zip? unpack it first; gzip is read as is).", 415);
    }
    if (first === "<" || first === "[") {
      this.mode = "document";
    } else if (first === "{") {
      const newline = this.pending.indexOf("\n");
      if (newline === -1 && !atEnd && this.pending.length < this.limits.maxRecordChars) return;
      const firstLine = newline === -1 ? this.pending : this.pending.slice(0, newline);
      this.mode = isJsonObject(firstLine) && newline !== -1 ? "ndjson" : "document";
    } else {
      this.mode = "csv";
    }
  }

  /** Hands every complete CSV record in `pending` to the reader, keeping the incomplete tail. */
  private drainCsv(atEnd: boolean): void {
    const boundary = atEnd ? this.pending.length : this.lastCsvRecordEnd();
    if (boundary <= 0) {
      if (this.pending.length > this.limits.maxRecordChars) throw this.recordTooLong();
      return;
    }
    const block = this.pending.slice(0, boundary);
    this.pending = this.pending.slice(boundary);
    // A boundary is only taken outside quotes: the tail is scanned afresh from its start.
    this.scanPosition = 0;
    this.insideQuotes = false;
    if (this.pending.length > this.limits.maxRecordChars) throw this.recordTooLong();
    this.readCsvBlock(block);
  }

  /**
   * Where the last complete record in `pending` ends (after its newline), or -1. Usually the last
   * newline: it is outside quotes when the quotes before it pair up, counted with native
   * searches. Otherwise (a quoted field spans the chunk's end) characters are scanned one by one,
   * and where that scan stopped is kept for the next chunk.
   */
  private lastCsvRecordEnd(): number {
    const lastNewline = this.pending.lastIndexOf("\n");
    if (lastNewline >= this.scanPosition && this.insideQuotes === (countQuotes(this.pending, this.scanPosition, lastNewline) % 2 === 1)) {
      return lastNewline + 1;
    }
    let boundary = -1;
    let position = this.scanPosition;
    let inside = this.insideQuotes;
    for (; position < this.pending.length; position++) {
      const char = this.pending.charCodeAt(position);
      if (char === 34) inside = !inside; // a doubled quote toggles twice: still right
      else if (char === 10 && !inside) boundary = position + 1;
    }
    if (boundary === -1) {
      this.scanPosition = position;
      this.insideQuotes = inside;
    }
    return boundary;
  }

  private readCsvBlock(block: string): void {
    const blockLines = countNewlines(block);
    if (!this.csvHeader) {
      const source = readRawRows(block);
      this.format = source.format;
      const missing = REQUIRED_MDE_COLUMNS.filter((column) => !source.columns.includes(column));
      if (missing.length > 0) {
        throw notTelemetry(`it has no ${missing.join(", ")} column${missing.length > 1 ? "s" : ""}. Found: ${summarizeColumns(source.columns)}`);
      }
      const headerEnd = endOfFirstRecord(block);
      this.csvHeader = { text: block.slice(0, headerEnd), lines: countNewlines(block.slice(0, headerEnd)) };
      this.consume(source, 0);
    } else if (block.trim() !== "") {
      // Each block is read as its own small CSV under the header: line numbers shift back by the header's lines.
      this.consume(readRawRows(this.csvHeader.text + block), this.linesConsumed - this.csvHeader.lines);
    }
    this.linesConsumed += blockLines;
  }

  private drainNdjson(atEnd: boolean): void {
    const boundary = atEnd ? this.pending.length : this.pending.lastIndexOf("\n") + 1;
    if (boundary <= 0) {
      if (this.pending.length > this.limits.maxRecordChars) throw this.recordTooLong();
      return;
    }
    const block = this.pending.slice(0, boundary);
    this.pending = this.pending.slice(boundary);
    if (this.pending.length > this.limits.maxRecordChars) throw this.recordTooLong();
    if (block.trim() !== "") {
      const source = readRawRows(block);
      this.format ??= "ndjson";
      // A block holding one line may read as a one-row document; its rows still count from the block start.
      this.consume(source, this.linesConsumed + leadingBlankLines(block));
    }
    this.linesConsumed += countNewlines(block);
  }

  private consume(source: RawRowSource, lineOffset: number): void {
    this.format ??= source.format;
    for (const row of source.rows) this.handle(row, lineOffset);
  }

  private handle(row: RawRow, lineOffset: number): void {
    if (row.record && looksLikeTelemetry(row.record)) this.telemetryRows++;
    const normalized = normalizeRow(row);
    if (normalized.outcome === "event") {
      this.accepted++;
      this.labels.add(tableLabel(normalized.event));
      this.batch.push(normalized.event);
      if (this.batch.length >= this.limits.batchSize) this.flush();
    } else if (normalized.outcome === "ignored") {
      this.ignored++;
    } else {
      this.rejected++;
      if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ line: row.line + lineOffset, message: detachedCopy(normalized.message) });
    }
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.onEvents(batch);
  }

  private recordTooLong(): TelemetryFileError {
    return new TelemetryFileError(
      `A record starting on line ${this.linesConsumed + 1} is longer than ${Math.round(this.limits.maxRecordChars / 1048576)} MiB (or a quote is never closed).`,
      400,
    );
  }
}

function notTelemetry(reason: string): TelemetryFileError {
  return new TelemetryFileError(`This is not a Defender Advanced Hunting export or a Sysmon log: ${reason}.`, 422);
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Where the first CSV record ends (after its newline), honouring quotes. */
function endOfFirstRecord(text: string): number {
  let inside = false;
  for (let position = 0; position < text.length; position++) {
    const char = text.charCodeAt(position);
    if (char === 34) inside = !inside;
    else if (char === 10 && !inside) return position + 1;
  }
  return text.length;
}

/** Double quotes in text[from, to). */
function countQuotes(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('"', from); i !== -1 && i < to; i = text.indexOf('"', i + 1)) count++;
  return count;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

function leadingBlankLines(block: string): number {
  const firstContent = block.search(/\S/);
  return firstContent <= 0 ? 0 : countNewlines(block.slice(0, firstContent));
}

function summarizeColumns(columns: string[]): string {
  if (columns.length === 0) return "no columns";
  const shown = columns.slice(0, 6).map((column) => (column.length > 30 ? `${column.slice(0, 30)}…` : column));
  return shown.join(", ") + (columns.length > 6 ? ` and ${columns.length - 6} more` : "");
}

/** A Defender row (it has an ActionType) or a Windows event record (Sysmon or another channel). */
function looksLikeTelemetry(record: Record<string, unknown>): boolean {
  return "ActionType" in record || isWindowsEventRecord(record);
}

function isWindowsEventRecord(record: Record<string, unknown>): boolean {
  return "EventID" in record || "winlog" in record || "winlog.event_id" in record;
}

function tableLabel(event: TelemetryEvent): string {
  return event.source === "sysmon" ? SYSMON_LABEL_BY_KIND[event.kind] : MDE_TABLE_BY_KIND[event.kind];
}

/** Each row by its own source, so a file may mix Defender rows and Sysmon records. */
function normalizeRow(row: RawRow): NormalizedRow {
  if (!row.record) return { outcome: "rejected", message: row.error ?? "unreadable row" };
  // Defender rows, the bulk of large uploads, without the Sysmon checks.
  if ("ActionType" in row.record && !isWindowsEventRecord(row.record)) return normalizeMdeRow(row.record);
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
