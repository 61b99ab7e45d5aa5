/**
 * Rows of a telemetry file as plain records keyed by column name, each with the line it came from.
 * The stream parser recognises the format and hands these readers blocks of whole records (JSON
 * documents go to JsonDocumentReader, event XML to readSysmonXmlEvents).
 *
 * Line numbers count from the start of the text given: CSV and NDJSON give the physical line a
 * row starts on; a JSON document's rows give their 1-based position.
 */
import { CsvSyntaxError, parseCsv, type CsvRecord } from "./parse-csv";
import { TelemetryFileError } from "./telemetry-file-error";

export type TelemetryFormat = "csv" | "mde-api-json" | "json-array" | "ndjson" | "event-xml";

export interface RawRow {
  line: number;
  /** Length of the row's text (0 where unknown): what its event holds in memory is estimated from it. */
  chars: number;
  record: Record<string, unknown> | null;
  /** Set when the row could not even be read (bad CSV field count, invalid JSON line). */
  error?: string;
}

/** CSV text whose first record is the header: its column names and the rows after it. */
export function readCsv(text: string): { columns: string[]; rows: Iterable<RawRow> } {
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
  return { columns: header, rows: csvRows(header, records) };
}

function* csvRows(header: string[], records: Generator<CsvRecord>): Generator<RawRow> {
  try {
    for (const { line, fields, chars } of records) {
      if (fields.length !== header.length) {
        yield { line, chars, record: null, error: `expected ${header.length} fields, found ${fields.length}` };
        continue;
      }
      const record: Record<string, unknown> = {};
      for (let index = 0; index < header.length; index++) record[header[index]] = fields[index];
      yield { line, chars, record };
    }
  } catch (error) {
    // An unterminated quote swallows the rest of the file: report it at the line it opened.
    if (error instanceof CsvSyntaxError) yield { line: error.line, chars: 0, record: null, error: error.message };
    else throw error;
  }
}

/** One JSON object per line; blank lines are skipped, anything else is a rejected row. */
export function* readNdjson(text: string): Generator<RawRow> {
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index];
    if (text.trim() === "") continue;
    const parsed = tryParseJson(text);
    if (parsed.ok && isRecord(parsed.value)) yield { line: index + 1, chars: text.length, record: unwrapStreamingApiRecord(parsed.value) };
    else yield { line: index + 1, chars: text.length, record: null, error: parsed.ok ? "line is not a JSON object" : `invalid JSON: ${parsed.message}` };
  }
}

/** A row of a JSON document (an element of its rows array, or a whole single object) at its 1-based position. */
export function jsonRow(value: unknown, position: number, chars: number): RawRow {
  return isRecord(value)
    ? { line: position, chars, record: unwrapStreamingApiRecord(value) }
    : { line: position, chars, record: null, error: "row is not a JSON object" };
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
