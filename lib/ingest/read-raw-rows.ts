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

/** `kusto-series`: the hunting query's result as CSV (lib/ingest/kusto-series); `evtx`: a Windows event log file. */
export type TelemetryFormat = "csv" | "kusto-series" | "mde-api-json" | "json-array" | "ndjson" | "event-xml" | "evtx";

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
  const build = recordBuilder(header);
  try {
    for (const { line, fields, chars } of records) {
      if (fields.length !== header.length) {
        yield { line, chars, record: null, error: `expected ${header.length} fields, found ${fields.length}` };
        continue;
      }
      yield { line, chars, record: build(fields) };
    }
  } catch (error) {
    // An unterminated quote swallows the rest of the file: report it at the line it opened.
    if (error instanceof CsvSyntaxError) yield { line: error.line, chars: 0, record: null, error: error.message };
    else throw error;
  }
}

/**
 * What makes a CSV row's record from its fields. Assigned column by column (`record[name] = field`),
 * an object of more than about a dozen properties becomes a hash table in V8, and building the
 * 96 columns of a Defender export that way was a third of CSV ingestion. An object literal
 * compiled once per header makes ordinary fast objects instead, all of one shape, which the
 * normaliser also reads faster. The result is the same object: same keys in the same order, a
 * repeated column's last value, and `__proto__` left out (assigning it a string does nothing).
 * Column names are the file's text: each is written as a JSON string literal, which JavaScript
 * reads back as exactly that text, so no name can escape into code.
 */
function recordBuilder(header: string[]): RecordBuilder {
  // The stream parser reads each block under the same header: compile once per file, not per
  // block. Keyed by the names' JSON, a string of its own, so the cache keeps no upload text alive.
  const key = JSON.stringify(header);
  let build = recordBuilders.get(key);
  if (build) return build;
  // A real header is a few kilobytes; a hostile one of megabytes would pin its text (and a
  // compiled copy) in the cache: such a header is assigned column by column, and not cached.
  if (key.length > MAX_COMPILED_HEADER_CHARS) return assignColumns(header);
  if (header.length <= MAX_LITERAL_COLUMNS) {
    const properties = header.map((name, index) => (name === "__proto__" ? null : `${JSON.stringify(name)}: fields[${index}]`)).filter((property) => property !== null);
    build = new Function("fields", `return { ${properties.join(", ")} };`) as RecordBuilder;
  } else {
    build = assignColumns(JSON.parse(key) as string[]);
  }
  // A few headers at once (concurrent uploads of different exports); the oldest goes first.
  if (recordBuilders.size >= MAX_CACHED_BUILDERS) recordBuilders.delete(recordBuilders.keys().next().value as string);
  recordBuilders.set(key, build);
  return build;
}

type RecordBuilder = (fields: string[]) => Record<string, unknown>;

/** Column by column: the plain way, for headers too wide or too long to compile. */
function assignColumns(names: readonly string[]): RecordBuilder {
  return (fields) => {
    const record: Record<string, unknown> = {};
    for (let index = 0; index < names.length; index++) record[names[index]] = fields[index];
    return record;
  };
}

/** Beyond this V8 keeps no object's properties fast anyway: such a header is assigned column by column. */
const MAX_LITERAL_COLUMNS = 1000;
/** A Defender export's header is about 2,000 characters; 64 Ki bounds the cache at 16 x 2 x 64 Ki. */
const MAX_COMPILED_HEADER_CHARS = 65_536;
const MAX_CACHED_BUILDERS = 16;
const recordBuilders = new Map<string, RecordBuilder>();

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
