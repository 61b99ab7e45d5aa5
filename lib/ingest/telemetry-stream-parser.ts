/**
 * Parses a telemetry file as it arrives, in chunks of text, with bounded memory: CSV, NDJSON and
 * event XML are cut at record boundaries (XML before each <Event>) into blocks of at most one
 * record's limit and parsed block by block; JSON documents (the API's, a JSON array) are read by
 * a streaming JSON parser, row by row. A Windows event log (.evtx) arrives as bytes instead, read
 * chunk by chunk (lib/ingest/evtx). Events leave in batches, cut by count and by size, through
 * a callback.
 *
 * Pure: no I/O; the caller feeds text and stores batches.
 */
import { classifyRemoteAddress } from "../telemetry/classify-remote-address";
import { MDE_TABLE_BY_KIND, type TelemetryEvent, type TelemetryKind } from "../telemetry/telemetry-event";
import { detachedCopy } from "./detached-copy";
import { isKustoSeriesHeader, seriesRowEvents } from "./kusto-series";
import { normalizeMdeRow, REQUIRED_MDE_COLUMNS, type NormalizedRow } from "./normalize-mde-row";
import { isSysmonRecord, normalizeSysmonRecord } from "./normalize-sysmon-event";
import { SysmonClock } from "./sysmon-clock";
import { JsonDocumentReader, JsonSyntaxError } from "./read-json-document";
import { jsonRow, readCsv, readNdjson, type RawRow, type TelemetryFormat } from "./read-raw-rows";
import { EVENT_CUT_LOOKAHEAD, EVENT_XML_HEAD_CHARS, lastEventStart, looksLikeEventXml, readSysmonXmlEvents } from "./read-sysmon-xml";
import { describeCharLimit, TelemetryFileError } from "./telemetry-file-error";
import { EvtxFormatError, EvtxStreamParser, type EvtxItem } from "./evtx/evtx-stream-parser";

/** How many rejected rows are listed; all of them are counted. */
export const MAX_LISTED_ERRORS = 100;

export interface RowError {
  /** Null where no line applies (.evtx: the message names the record or chunk). */
  line: number | null;
  message: string;
}

/** What the upload's decoding hands on: text, or an .evtx file's bytes (decodeUploadChunks). */
export type UploadChunk = string | Uint8Array;

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
  /** Most events per batch handed to the callback. */
  batchSize: number;
  /** Most text per batch, counted as the length of its events' rows in the file: a batch leaves at either limit. */
  maxBatchChars: number;
  /**
   * Longest CSV record, NDJSON line, XML event or JSON row, in characters; longer is a 400. Also
   * the most text parsed as one block, and the most of a JSON document read whole (one without rows).
   */
  maxRecordChars: number;
}

export const DEFAULT_STREAM_LIMITS: StreamParserLimits = { batchSize: 5000, maxBatchChars: 8 * 1024 * 1024, maxRecordChars: 4 * 1024 * 1024 };

const SYSMON_LABEL_BY_KIND: Record<TelemetryKind, string> = {
  process: "Sysmon 1 (process create)",
  network: "Sysmon 3 (network connection)",
  image_load: "Sysmon 7 (image loaded)",
};
const ALL_TABLE_LABELS = [...Object.values(MDE_TABLE_BY_KIND), ...Object.values(SYSMON_LABEL_BY_KIND)];

/** About what one event made from a series row holds in memory (an object of some 30 fields). */
const SERIES_EVENT_CHARS = 1024;

/** Formats read in blocks of whole records. */
type BlockMode = "csv" | "ndjson" | "xml";

export class TelemetryStreamParser {
  private mode: "detect" | "json" | "evtx" | BlockMode = "detect";
  private format: TelemetryFormat | null = null;
  /** Text not yet parsed; in JSON mode, the document so far until its rows begin. */
  private pending = "";
  private started = false;
  private json: JsonDocumentReader | null = null;
  private evtx: EvtxStreamParser | null = null;
  /** Physical lines before `pending`. */
  private linesConsumed = 0;
  /** CSV: the header record's text and how many lines it spans; prepended to every block. */
  private csvHeader: { text: string; lines: number } | null = null;
  /** Where the boundary search over `pending` resumes, and (CSV) whether that is inside quotes. */
  private scanPosition = 0;
  private insideQuotes = false;

  private batch: TelemetryEvent[] = [];
  private batchChars = 0;
  private readonly labels = new Set<string>();
  /** Places Sysmon events whose UtcTime contradicts their process (see sysmon-clock). */
  private readonly sysmonClock = new SysmonClock();
  private readonly errors: RowError[] = [];
  private accepted = 0;
  private rejected = 0;
  private ignored = 0;
  private telemetryRows = 0;

  constructor(
    private readonly onEvents: (events: TelemetryEvent[]) => void,
    private readonly limits: StreamParserLimits = DEFAULT_STREAM_LIMITS,
  ) {}

  write(chunk: UploadChunk): void {
    if (typeof chunk !== "string") {
      this.writeEvtx(chunk);
      return;
    }
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.json) {
      // Until its rows begin, a JSON document may still be read whole or as NDJSON.
      if (!this.json.rowsStarted) this.pending += chunk;
      this.feedJson(this.json, chunk);
      return;
    }
    this.pending += chunk;
    if (this.mode === "detect") this.detectFormat(false);
    if (this.mode !== "detect" && this.mode !== "json") this.drain(false);
  }

  end(): TelemetryParseSummary {
    if (this.mode === "detect") this.detectFormat(true);
    if (this.mode === "detect") throw new TelemetryFileError("The file is empty.", 400);
    if (this.json) this.endJson(this.json);
    else if (this.evtx) this.readEvtx(this.evtx, (parser) => parser.end());
    else this.drain(true);
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

  /**
   * CSV unless the content starts like JSON or XML. A "{" file is read as one JSON document until
   * that fails: NDJSON fails at its second line (or a broken first one) and is read again as such.
   */
  private detectFormat(atEnd: boolean): void {
    const first = this.pending.trimStart()[0];
    if (first === undefined) return;
    if (/[\u0000-\u0008\u000e-\u001f]/.test(this.pending.slice(0, 4096))) {
      throw new TelemetryFileError("The file is binary, not a CSV, JSON or XML telemetry export (a zip? unpack it first; gzip is read as is).", 415);
    }
    if (first === "<") {
      // Judged on the same head whatever the chunking.
      if (this.pending.length < EVENT_XML_HEAD_CHARS && !atEnd) return;
      if (!looksLikeEventXml(this.pending)) throw new TelemetryFileError("The file is XML but not Windows event XML (<Events> or <Event> elements).", 422);
      this.startBlocks("xml", "event-xml");
    } else if (first === "[" || first === "{") {
      this.startJson(first === "[" ? "array" : "object");
    } else {
      this.startBlocks("csv", "csv");
    }
  }

  /** An .evtx file's bytes (decodeUploadChunks hands them on as they are). */
  private writeEvtx(bytes: Uint8Array): void {
    if (!this.evtx) {
      this.mode = "evtx";
      this.format = "evtx";
      this.evtx = new EvtxStreamParser();
    }
    this.readEvtx(this.evtx, (parser) => parser.push(bytes));
  }

  /**
   * Each record as a row, at its number in the file; each damaged chunk or record (skipped by the
   * reader) as an error naming it, its records counted as rejected.
   */
  private readEvtx(parser: EvtxStreamParser, read: (parser: EvtxStreamParser) => EvtxItem[]): void {
    let items: EvtxItem[];
    try {
      items = read(parser);
    } catch (error) {
      if (error instanceof EvtxFormatError) throw new TelemetryFileError(`This is not a readable Windows event log (.evtx): ${error.message}`, 422);
      throw error;
    }
    for (const item of items) {
      if (item.kind === "record") {
        this.handle({ line: item.recordNumber, chars: recordChars(item.record), record: item.record }, null);
      } else {
        this.rejected += item.recordsSkipped ?? 0;
        this.listError(null, item.message);
      }
    }
  }

  private startBlocks(mode: BlockMode, format: TelemetryFormat): void {
    this.mode = mode;
    this.format = format;
  }

  private startJson(root: "array" | "object"): void {
    this.mode = "json";
    this.format = root === "array" ? "json-array" : "mde-api-json";
    this.json = new JsonDocumentReader(root, (row) => this.handle(row, 0), this.limits.maxRecordChars);
    this.feedJson(this.json, this.pending);
  }

  private feedJson(json: JsonDocumentReader, text: string): void {
    try {
      json.write(text);
    } catch (error) {
      this.jsonFailed(json, error, false);
      return;
    }
    if (json.rowsStarted) this.pending = "";
  }

  private endJson(json: JsonDocumentReader): void {
    try {
      json.end();
    } catch (error) {
      this.jsonFailed(json, error, true);
      return;
    }
    if (json.rowsStarted) return;
    // A document without rows is one record (a pretty-printed streaming-API envelope, say), reported as NDJSON like a one-line file.
    this.format = "ndjson";
    this.handle(jsonRow(JSON.parse(this.pending), 1, this.pending.length), 0);
  }

  /** A "{" file that is not one JSON document is read as NDJSON, unless rows were read from it as a document. */
  private jsonFailed(json: JsonDocumentReader, error: unknown, atEnd: boolean): void {
    if (!(error instanceof JsonSyntaxError)) throw error;
    if (json.root === "array" || json.rowsStarted) throw new TelemetryFileError(`The file looks like JSON but cannot be parsed: ${error.message}`, 400);
    this.json = null;
    this.startBlocks("ndjson", "ndjson");
    this.drain(atEnd);
  }

  /**
   * Parses every complete record in `pending`, keeping the incomplete tail. Blocks hold at most
   * one record's limit of text, so what one block parses into stays bounded even when a whole
   * file arrives as one chunk.
   */
  private drain(atEnd: boolean): void {
    const { maxRecordChars } = this.limits;
    // An XML cut is only known once the characters after it have arrived.
    const lookahead = this.mode === "xml" ? EVENT_CUT_LOOKAHEAD : 0;
    while (this.pending.length > 0) {
      const boundary = atEnd ? this.pending.length : this.lastRecordEnd(Math.min(this.pending.length, maxRecordChars));
      if (boundary <= 0) {
        if (this.pending.length > maxRecordChars + lookahead) throw this.recordTooLong();
        return;
      }
      const block = this.pending.slice(0, boundary);
      this.pending = this.pending.slice(boundary);
      // A boundary is only taken outside quotes: the tail is scanned afresh from its start.
      this.scanPosition = 0;
      this.insideQuotes = false;
      this.readBlock(block);
      this.linesConsumed += countNewlines(block);
    }
  }

  /** Where the last complete record within pending[0, end) ends, or -1. */
  private lastRecordEnd(end: number): number {
    if (this.mode === "csv") return this.lastCsvRecordEnd(end);
    if (this.mode === "ndjson") return this.pending.lastIndexOf("\n", end - 1) + 1;
    const cut = lastEventStart(this.pending, this.scanPosition, end);
    if (cut === -1) this.scanPosition = Math.max(0, end - EVENT_CUT_LOOKAHEAD);
    return cut;
  }

  /**
   * Where the last complete CSV record within pending[0, end) ends (after its newline), or -1.
   * Usually the last newline: it is outside quotes when the quotes before it pair up, counted with
   * native searches. Otherwise (a quoted field spans the chunk's end) characters are scanned one
   * by one, and where that scan stopped is kept for the next chunk.
   */
  private lastCsvRecordEnd(end: number): number {
    const lastNewline = this.pending.lastIndexOf("\n", end - 1);
    if (lastNewline >= this.scanPosition && this.insideQuotes === (countQuotes(this.pending, this.scanPosition, lastNewline) % 2 === 1)) {
      return lastNewline + 1;
    }
    let boundary = -1;
    let position = this.scanPosition;
    let inside = this.insideQuotes;
    for (; position < end; position++) {
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

  private readBlock(block: string): void {
    if (this.mode === "csv") this.readCsvBlock(block);
    else if (this.mode === "ndjson") this.consume(readNdjson(block), this.linesConsumed);
    else this.consume(readSysmonXmlEvents(block), this.linesConsumed);
  }

  private readCsvBlock(block: string): void {
    if (!this.csvHeader) {
      const { columns, rows } = readCsv(block);
      const missing = REQUIRED_MDE_COLUMNS.filter((column) => !columns.includes(column));
      if (missing.length > 0 && isKustoSeriesHeader(columns)) this.format = "kusto-series";
      else if (missing.length > 0) {
        throw notTelemetry(`it has no ${missing.join(", ")} column${missing.length > 1 ? "s" : ""}. Found: ${summarizeColumns(columns)}`);
      }
      const headerEnd = endOfFirstRecord(block);
      this.csvHeader = { text: block.slice(0, headerEnd), lines: countNewlines(block.slice(0, headerEnd)) };
      this.consume(rows, 0);
    } else if (block.trim() !== "") {
      // Each block is read as its own small CSV under the header: line numbers shift back by the header's lines.
      this.consume(readCsv(this.csvHeader.text + block).rows, this.linesConsumed - this.csvHeader.lines);
    }
  }

  private consume(rows: Iterable<RawRow>, lineOffset: number): void {
    for (const row of rows) this.handle(row, lineOffset);
  }

  /** `lineOffset` null: the row's "line" is an .evtx record's number, named in its error instead. */
  private handle(row: RawRow, lineOffset: number | null): void {
    if (this.format === "kusto-series") {
      this.handleSeriesRow(row, lineOffset);
      return;
    }
    if (row.record && looksLikeTelemetry(row.record)) this.telemetryRows++;
    const normalized = normalizeRow(row);
    if (normalized.outcome === "event") this.accept(this.sysmonClock.place(normalized.event), row.chars);
    else if (normalized.outcome === "ignored") this.ignored++;
    else this.rejectRow(row, lineOffset, normalized.message);
  }

  /** A series row stands for many events: each is accepted, or the row is rejected whole. */
  private handleSeriesRow(row: RawRow, lineOffset: number | null): void {
    this.telemetryRows++;
    const outcome = row.record ? seriesRowEvents(row.record) : { outcome: "rejected" as const, message: row.error ?? "unreadable row" };
    if (outcome.outcome === "rejected") {
      this.rejectRow(row, lineOffset, outcome.message);
      return;
    }
    // Each event is its own object, whatever share of the row's text it points at.
    const chars = Math.max(SERIES_EVENT_CHARS, Math.ceil(row.chars / outcome.count));
    for (const event of outcome.events) this.accept(event, chars);
  }

  /** `chars`: about what the event holds in memory (its row's text, which its strings may keep alive). */
  private accept(event: TelemetryEvent, chars: number): void {
    this.accepted++;
    this.labels.add(tableLabel(event));
    this.batch.push(event);
    this.batchChars += chars;
    if (this.batch.length >= this.limits.batchSize || this.batchChars >= this.limits.maxBatchChars) this.flush();
  }

  private rejectRow(row: RawRow, lineOffset: number | null, message: string): void {
    if (lineOffset === null) this.reject(null, `record ${row.line}: ${message}`);
    else this.reject(row.line + lineOffset, message);
  }

  private reject(line: number | null, message: string): void {
    this.rejected++;
    this.listError(line, message);
  }

  /** The first MAX_LISTED_ERRORS errors are listed; the caller counts every one. */
  private listError(line: number | null, message: string): void {
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ line, message: detachedCopy(message) });
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchChars = 0;
    this.onEvents(batch);
  }

  private recordTooLong(): TelemetryFileError {
    return new TelemetryFileError(
      `A record starting on line ${this.linesConsumed + 1} is longer than ${describeCharLimit(this.limits.maxRecordChars)}${this.mode === "csv" ? " (or a quote is never closed)" : ""}.`,
      400,
    );
  }
}

function notTelemetry(reason: string): TelemetryFileError {
  return new TelemetryFileError(`This is not a Defender Advanced Hunting export or a Sysmon log: ${reason}.`, 422);
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

/** About what an .evtx record's event holds in memory: its values' text. */
function recordChars(record: Record<string, string>): number {
  let chars = 0;
  for (const name in record) chars += name.length + record[name].length;
  return chars;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
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
