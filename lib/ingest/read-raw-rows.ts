/**
 * Recognises a telemetry file's format from its content (never its name) and yields its rows
 * as plain records keyed by column name, each with the line it came from.
 *
 * Line numbers: CSV and NDJSON give the physical line a row starts on; for a JSON document
 * (the API's `{"Schema","Results"}` or a plain array) they give the row's 1-based position.
 */
import { CsvSyntaxError, parseCsv } from "./parse-csv";
import { looksLikeEventXml, readSysmonXmlEvents } from "./read-sysmon-xml";
import { TelemetryFileError } from "./telemetry-file-error";

export type TelemetryFormat = "csv" | "mde-api-json" | "json-array" | "ndjson" | "event-xml";

export interface RawRow {
  line: number;
  record: Record<string, unknown> | null;
  /** Set when the row could not even be read (bad CSV field count, invalid JSON line). */
  error?: string;
}

export interface RawRowSource {
  format: TelemetryFormat;
  columns: string[];
  rows: Iterable<RawRow>;
}

export function readRawRows(text: string): RawRowSource {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.trimStart()[0];
  if (first === undefined) throw new TelemetryFileError("The file is empty.", 400);
  if (first === "<") {
    if (!looksLikeEventXml(body)) throw new TelemetryFileError("The file is XML but not Windows event XML (<Events> or <Event> elements).", 422);
    // Event XML carries its field names per event; Sysmon's are checked row by row.
    return { format: "event-xml", columns: [], rows: readSysmonXmlEvents(body) };
  }
  if (first === "[" || first === "{") {
    const document = tryParseJson(body);
    if (document.ok) return readJsonDocument(document.value);
    if (first === "{") return readNdjson(body);
    throw new TelemetryFileError(`The file looks like JSON but cannot be parsed: ${document.message}`, 400);
  }
  if (/[\u0000-\u0008\u000e-\u001f]/.test(body.slice(0, 4096))) {
    throw new TelemetryFileError("The file is binary, not a CSV or JSON telemetry export.", 415);
  }
  return readCsv(body);
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function readJsonDocument(value: unknown): RawRowSource {
  if (Array.isArray(value)) return { format: "json-array", columns: columnsOf(value.map(unwrapIfRecord)), rows: numberedObjects(value) };
  if (isRecord(value)) {
    // Defender's API answers {"Schema": [...], "Results": [...]}; Graph spells them in lower case.
    const results = value.Results ?? value.results;
    if (Array.isArray(results)) {
      const schema = value.Schema ?? value.schema;
      const schemaColumns = Array.isArray(schema)
        ? schema.filter(isRecord).map((column) => String(column.Name ?? column.name ?? ""))
        : [];
      return {
        format: "mde-api-json",
        columns: schemaColumns.length > 0 ? schemaColumns : columnsOf(results),
        rows: numberedObjects(results),
      };
    }
    // A single JSON object on one line is a one-row NDJSON file.
    const record = unwrapStreamingApiRecord(value);
    return { format: "ndjson", columns: Object.keys(record), rows: [{ line: 1, record }] };
  }
  throw new TelemetryFileError("The JSON file holds neither rows nor a {Schema, Results} document.", 422);
}

function readNdjson(text: string): RawRowSource {
  const lines = text.split(/\r?\n/);
  const rows: RawRow[] = [];
  lines.forEach((content, index) => {
    if (content.trim() === "") return;
    const parsed = tryParseJson(content);
    if (parsed.ok && isRecord(parsed.value)) rows.push({ line: index + 1, record: unwrapStreamingApiRecord(parsed.value) });
    else rows.push({ line: index + 1, record: null, error: parsed.ok ? "line is not a JSON object" : `invalid JSON: ${parsed.message}` });
  });
  return { format: "ndjson", columns: columnsOf(rows.map((row) => row.record)), rows };
}

function readCsv(text: string): RawRowSource {
  const records = parseCsv(text);
  let header: string[];
  try {
    const first = records.next();
    if (first.done) throw new TelemetryFileError("The file is empty.", 400);
    header = first.value.fields.map((name) => name.trim());
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new TelemetryFileError(`CSV header: ${error.message}`, 400);
    throw error;
  }
  return { format: "csv", columns: header, rows: csvRows(header, records) };
}

function* csvRows(header: string[], records: Generator<{ line: number; fields: string[] }>): Generator<RawRow> {
  try {
    for (const { line, fields } of records) {
      if (fields.length !== header.length) {
        yield { line, record: null, error: `expected ${header.length} fields, found ${fields.length}` };
        continue;
      }
      const record: Record<string, unknown> = {};
      for (let index = 0; index < header.length; index++) record[header[index]] = fields[index];
      yield { line, record };
    }
  } catch (error) {
    // An unterminated quote swallows the rest of the file: report it at the line it opened.
    if (error instanceof CsvSyntaxError) yield { line: error.line, record: null, error: error.message };
    else throw error;
  }
}

function* numberedObjects(values: unknown[]): Generator<RawRow> {
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    yield isRecord(value)
      ? { line: index + 1, record: unwrapStreamingApiRecord(value) }
      : { line: index + 1, record: null, error: "row is not a JSON object" };
  }
}

/**
 * Defender's streaming API (Event Hub, storage account) wraps each row:
 * `{"time", "tenantId", "operationName": "Publish", "category": "AdvancedHunting-<Table>", "properties": {row}}`.
 * The row is what we read; tables may be mixed in one file.
 */
export function unwrapStreamingApiRecord(record: Record<string, unknown>): Record<string, unknown> {
  const { category, properties } = record;
  if (typeof category === "string" && category.startsWith("AdvancedHunting-") && isRecord(properties)) return properties;
  return record;
}

function unwrapIfRecord(value: unknown): unknown {
  return isRecord(value) ? unwrapStreamingApiRecord(value) : value;
}

function columnsOf(values: unknown[]): string[] {
  const columns = new Set<string>();
  for (const value of values.slice(0, 1000)) if (isRecord(value)) for (const key of Object.keys(value)) columns.add(key);
  return [...columns];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
