/**
 * Suppressions and the four seed-query lists as files: written as JSON or CSV for a download, and
 * read back with every entry validated as the API validates it. An import is all or nothing: the
 * reader either answers every entry, or the problems (each with the line it is on) and nothing.
 *
 * CSV cells hold attacker- and analyst-chosen text (process names, paths, reasons), so they are
 * written by findingsCsv, which puts ' before a cell starting with a formula character
 * (= + - @ tab CR and their full-width forms) so a spreadsheet shows it rather than running it.
 * Reading back strips that ' again. To keep this unambiguous, a cell whose text itself starts with
 * one or more ' and then a formula character gets one more ' when written: so a cell read back
 * loses its first ' exactly when ' and a formula character (after any further ') begin it. In a
 * file written by hand, `'=x` is read as `=x` (write `''=x` for `'=x`); `'x` stays `'x`.
 *
 * Pure: the server reads and writes the database (lib/server/tuning-transfer-store).
 */
import { z } from "zod";
import { validateAllowlistValue } from "../detection/allowlist-entry-schema";
import { DETECTION_LIST_NAMES, type DetectionListName } from "../detection/detection-lists";
import { CsvSyntaxError, parseCsv, type CsvRecord } from "../ingest/parse-csv";
import { findingsCsv, type CsvCell } from "../triage/finding-export";
import { suppressionInputSchema, type SuppressionConditions, type SuppressionInput } from "./suppression";

export const TRANSFER_LIMITS = {
  /** Bytes of a file read for an import. */
  maxBytes: 5 * 1024 * 1024,
  /** Suppressions in one file; for lists, values in all four together. */
  maxEntries: 10_000,
  /** Problems listed in a refusal (all are counted). */
  maxListedProblems: 100,
} as const;

export const TRANSFER_FORMATS = ["json", "csv"] as const;
export type TransferFormat = (typeof TRANSFER_FORMATS)[number];

export const SUPPRESSIONS_FORMAT = "cipherwatch-suppressions";
export const LISTS_FORMAT = "cipherwatch-lists";
export const TRANSFER_VERSION = 1;

/** What is wrong with a file, and on which line (1 for the file as a whole). */
export interface ImportProblem {
  line: number;
  message: string;
}

/** A file read: every entry, or the first TRANSFER_LIMITS.maxListedProblems problems and how many there are. */
export type ImportResult<T> = { ok: true; value: T } | { ok: false; problems: ImportProblem[]; problemCount: number };

/** An entry as the store has it, for export. Times are ISO 8601. */
export interface ExportedSuppression {
  conditions: SuppressionConditions;
  reason: string;
  expiresAt: string | null;
  createdBy: string;
  createdAt: string;
}

/** A list's values as read from a file (validated and normalised), for each list the file names. */
export type ImportedLists = Partial<Record<DetectionListName, string[]>>;

// ---------------------------------------------------------------------------------------------
// Formula neutralisation

/** The first characters on which csv-stringify's escape_formulas (findingsCsv) puts a ' in front. */
const FORMULA_START = "=+\\-@\\t\\r\\uFF1D\\uFF0B\\uFF0D\\uFF20";
/** Quotes and then a formula character: text a spreadsheet could run once its ' is taken away. */
const QUOTED_FORMULA = new RegExp(`^'+[${FORMULA_START}]`);

/** Rows as CSV, every text cell neutralised (see the module's comment), with findingsCsv. */
function transferCsv(rows: CsvCell[][]): string {
  return findingsCsv(rows.map((row) => row.map((cell) => (typeof cell === "string" && QUOTED_FORMULA.test(cell) ? `'${cell}` : cell))));
}

/** A cell's text as it was before it was written (see the module's comment). */
export function unneutralisedCell(cell: string): string {
  return QUOTED_FORMULA.test(cell) ? cell.slice(1) : cell;
}

// ---------------------------------------------------------------------------------------------
// Suppressions

/** Each condition's CSV column, in the file's order (the satisfies check fails when a condition is added). */
const CONDITION_COLUMN_SET = {
  processName: true,
  processPath: true,
  sha256: true,
  remoteIp: true,
  remotePort: true,
  remoteDomain: true,
  deviceName: true,
  accountName: true,
} as const satisfies Record<keyof SuppressionConditions, true>;
const CONDITION_COLUMNS = Object.keys(CONDITION_COLUMN_SET) as (keyof SuppressionConditions)[];
const LIST_CONDITIONS = new Set<string>(["remoteIp", "remotePort"]);

export const SUPPRESSION_CSV_COLUMNS = [...CONDITION_COLUMNS, "reason", "expiresAt", "createdBy", "createdAt"] as const;

export function suppressionsJson(entries: readonly ExportedSuppression[]): string {
  const suppressions = entries.map(({ conditions, reason, expiresAt, createdBy, createdAt }) => ({ conditions, reason, expiresAt, createdBy, createdAt }));
  return `${JSON.stringify({ format: SUPPRESSIONS_FORMAT, version: TRANSFER_VERSION, suppressions }, null, 2)}\n`;
}

/** One row per entry; remoteIp and remotePort hold their values separated by spaces. */
export function suppressionsCsv(entries: readonly ExportedSuppression[]): string {
  const rows = entries.map((entry): CsvCell[] => [
    ...CONDITION_COLUMNS.map((column) => {
      const value = entry.conditions[column];
      return value === undefined ? null : Array.isArray(value) ? value.join(" ") : value;
    }),
    entry.reason,
    entry.expiresAt,
    entry.createdBy,
    entry.createdAt,
  ]);
  return transferCsv([[...SUPPRESSION_CSV_COLUMNS], ...rows]);
}

/**
 * The entries of an export (or a file written like one), each validated as POST /api/suppressions
 * validates it. createdBy and createdAt are read past: whoever imports an entry adds it.
 */
export function parseSuppressions(text: string, format: TransferFormat): ImportResult<SuppressionInput[]> {
  const problems = new Problems();
  const entries = format === "json" ? suppressionsFromJson(text, problems) : suppressionsFromCsv(text, problems);
  return problems.result(entries);
}

function suppressionsFromJson(text: string, problems: Problems): SuppressionInput[] {
  const document = readJsonDocument(text, SUPPRESSIONS_FORMAT, "suppressions", problems);
  if (document === null) return [];
  const items = document.suppressions;
  if (!Array.isArray(items)) {
    problems.add(1, '"suppressions" is not a list.');
    return [];
  }
  if (items.length > TRANSFER_LIMITS.maxEntries) {
    problems.add(1, `The file holds ${items.length.toLocaleString("en-US")} suppressions; import at most ${TRANSFER_LIMITS.maxEntries.toLocaleString("en-US")} at a time.`);
    return [];
  }
  const lines = lazyJsonLines(text);
  const entries: SuppressionInput[] = [];
  items.forEach((item: unknown, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.add(lines(["suppressions", index]), `Suppression ${index + 1} is not an object.`);
      return;
    }
    // Who added it and when are the importer's and now: the export's are for reading.
    const { createdBy: _createdBy, createdAt: _createdAt, ...input } = item as Record<string, unknown>;
    const parsed = suppressionInputSchema.safeParse(input);
    if (parsed.success) entries.push(parsed.data);
    else {
      for (const { path, message } of schemaProblems(parsed.error.issues)) {
        problems.add(lines(["suppressions", index, ...path]), `Suppression ${index + 1}: ${path.length > 0 ? `${path.join(".")}: ` : ""}${message}`);
      }
    }
  });
  return entries;
}

function suppressionsFromCsv(text: string, problems: Problems): SuppressionInput[] {
  const entries: SuppressionInput[] = [];
  for (const { line, cells } of csvRows(text, SUPPRESSION_CSV_COLUMNS, ["reason"], "suppressions", problems)) {
    const conditions: Record<string, unknown> = {};
    let rowProblem = false;
    for (const column of CONDITION_COLUMNS) {
      const cell = cells.get(column);
      if (cell === undefined) continue;
      if (!LIST_CONDITIONS.has(column)) {
        conditions[column] = cell;
        continue;
      }
      const items = cell.split(/[\s;,]+/).filter((item) => item !== "");
      if (column === "remotePort") {
        const notPort = items.find((item) => !/^\d{1,5}$/.test(item));
        if (notPort !== undefined) {
          problems.add(line, `remotePort: "${notPort}" is not a port (a whole number from 0 to 65535).`);
          rowProblem = true;
          continue;
        }
        conditions[column] = items.map(Number);
      } else conditions[column] = items;
    }
    const parsed = suppressionInputSchema.safeParse({ conditions, reason: cells.get("reason") ?? "", expiresAt: cells.get("expiresAt") ?? null });
    if (!parsed.success) {
      for (const { path, message } of schemaProblems(parsed.error.issues)) {
        const [first, second] = path;
        const column = first === "conditions" ? second : first;
        // The schema's own messages often start with the field's name ("expiresAt is …").
        problems.add(line, typeof column === "string" && !message.startsWith(`${column} `) ? `${column}: ${message}` : message);
      }
    } else if (!rowProblem) entries.push(parsed.data);
  }
  return entries;
}

/**
 * The schema's issues, a union's ("Invalid input", as a remoteIp that is one address or a list
 * of them gives) replaced by the issues of the alternative the value was meant for: the first
 * whose type it has, else the first. Its messages are the schema's own.
 */
function schemaProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    // A union with a message of its own (the schema's error option) says it best.
    if (issue.code !== "invalid_union" || issue.errors.length === 0 || issue.message !== ZOD_UNION_MESSAGE) return [{ path, message: issue.message }];
    const meant = issue.errors.find((alternative) => !alternative.every(wrongType)) ?? issue.errors[0];
    return schemaProblems(meant, path);
  });
}

/** What zod says of a union none of whose alternatives took the value, when the schema gives no message. */
const ZOD_UNION_MESSAGE = "Invalid input";

/** An issue saying the value is not of a type the schema takes there at all. */
function wrongType(issue: z.core.$ZodIssue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === "invalid_type") return true;
  return issue.code === "invalid_union" && issue.errors.every((alternative) => alternative.every(wrongType));
}

// ---------------------------------------------------------------------------------------------
// The four lists

/** Each list's values as the store keeps them (ports as text); JSON writes ports as numbers. */
export type ExportedLists = Record<DetectionListName, string[]>;

export function listsJson(lists: ExportedLists): string {
  const written = Object.fromEntries(DETECTION_LIST_NAMES.map((list) => [list, list === "standardPorts" ? lists[list].map(Number) : [...lists[list]]]));
  return `${JSON.stringify({ format: LISTS_FORMAT, version: TRANSFER_VERSION, lists: written }, null, 2)}\n`;
}

export const LIST_CSV_COLUMNS = ["list", "value"] as const;

export function listsCsv(lists: ExportedLists): string {
  return transferCsv([[...LIST_CSV_COLUMNS], ...DETECTION_LIST_NAMES.flatMap((list) => lists[list].map((value): CsvCell[] => [list, value]))]);
}

/**
 * The lists a file names, each value validated for its list as the editor validates it (and
 * normalised: trimmed, ports without leading zeros). A value given twice is kept twice: importing
 * counts the second as skipped. A CSV names only the lists it has rows for; a JSON file can name
 * an empty list (`"excludedBrowsers": []`), which a replacing import empties.
 */
export function parseLists(text: string, format: TransferFormat): ImportResult<ImportedLists> {
  const problems = new Problems();
  const lists = format === "json" ? listsFromJson(text, problems) : listsFromCsv(text, problems);
  return problems.result(lists);
}

const listNameSchema = z.enum(DETECTION_LIST_NAMES);
const NOT_A_LIST = `is not a list: the lists are ${DETECTION_LIST_NAMES.join(", ")}.`;

function listsFromJson(text: string, problems: Problems): ImportedLists {
  const document = readJsonDocument(text, LISTS_FORMAT, "lists", problems);
  if (document === null) return {};
  const lists = document.lists;
  if (typeof lists !== "object" || lists === null || Array.isArray(lists)) {
    problems.add(1, '"lists" is not an object of lists.');
    return {};
  }
  const lines = lazyJsonLines(text);
  const total = Object.values(lists).reduce((sum: number, values) => sum + (Array.isArray(values) ? values.length : 0), 0);
  if (total > TRANSFER_LIMITS.maxEntries) {
    problems.add(1, `The file holds ${total.toLocaleString("en-US")} values; import at most ${TRANSFER_LIMITS.maxEntries.toLocaleString("en-US")} at a time.`);
    return {};
  }
  const read: ImportedLists = {};
  for (const [name, values] of Object.entries(lists)) {
    const list = listNameSchema.safeParse(name);
    if (!list.success) {
      problems.add(lines(["lists", name]), `"${name}" ${NOT_A_LIST}`);
      continue;
    }
    if (!Array.isArray(values)) {
      problems.add(lines(["lists", name]), `${name} is not a list of values.`);
      continue;
    }
    const kept = (read[list.data] = [] as string[]);
    values.forEach((value: unknown, index) => {
      const validated =
        typeof value === "string" || typeof value === "number" ? validateAllowlistValue(list.data, String(value), []) : ({ ok: false, message: "A value is text or a number." } as const);
      if (validated.ok) kept.push(validated.value);
      else problems.add(lines(["lists", name, index]), `${name} value ${index + 1}: ${validated.message}`);
    });
  }
  return read;
}

function listsFromCsv(text: string, problems: Problems): ImportedLists {
  const read: ImportedLists = {};
  for (const { line, cells } of csvRows(text, LIST_CSV_COLUMNS, LIST_CSV_COLUMNS, "values", problems)) {
    const name = cells.get("list")?.trim() ?? "";
    const list = listNameSchema.safeParse(name);
    if (!list.success) {
      problems.add(line, `list: "${name}" ${NOT_A_LIST}`);
      continue;
    }
    const validated = validateAllowlistValue(list.data, cells.get("value") ?? "", []);
    if (validated.ok) (read[list.data] ??= []).push(validated.value);
    else problems.add(line, `value: ${validated.message}`);
  }
  return read;
}

// ---------------------------------------------------------------------------------------------
// Reading files

/** Problems as they are found: the first few kept, all counted. */
class Problems {
  private readonly listed: ImportProblem[] = [];
  private count = 0;

  add(line: number, message: string): void {
    this.count++;
    if (this.listed.length < TRANSFER_LIMITS.maxListedProblems) this.listed.push({ line, message });
  }

  result<T>(value: T): ImportResult<T> {
    return this.count === 0 ? { ok: true, value } : { ok: false, problems: this.listed, problemCount: this.count };
  }
}

function tooLarge(text: string): boolean {
  // A character is at least one byte: a text longer than the limit is certainly over it.
  return text.length > TRANSFER_LIMITS.maxBytes;
}

const TOO_LARGE = `The file is larger than ${TRANSFER_LIMITS.maxBytes / 1024 / 1024} MiB, the most an import reads.`;

/** The document's top-level object once its format and version are ours, else null (with the problem). */
function readJsonDocument(text: string, format: string, key: string, problems: Problems): Record<string, unknown> | null {
  if (tooLarge(text)) {
    problems.add(1, TOO_LARGE);
    return null;
  }
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    // V8 quotes the text around the fault ("…, "{ \"a\": }" is not valid JSON"): the line says where, without it.
    const message = (error instanceof Error ? error.message : String(error)).replace(/, (?:\.\.\.)?".*is not valid JSON$/s, "");
    problems.add(jsonErrorLine(text, message), `The file is not valid JSON: ${message}.`);
    return null;
  }
  const other = format === SUPPRESSIONS_FORMAT ? LISTS_FORMAT : SUPPRESSIONS_FORMAT;
  const fields = typeof document === "object" && document !== null && !Array.isArray(document) ? (document as Record<string, unknown>) : null;
  if (fields?.format === other) {
    problems.add(1, `This is a ${other === LISTS_FORMAT ? "lists" : "suppressions"} export ("format": "${other}"): import it there.`);
    return null;
  }
  if (fields?.format !== format) {
    problems.add(1, `Not a Cipherwatch ${key} export: the file is an object with "format": "${format}", "version": ${TRANSFER_VERSION} and "${key}".`);
    return null;
  }
  if (fields.version !== TRANSFER_VERSION) {
    problems.add(1, `Version ${JSON.stringify(fields.version)} of this format is not one this server reads (it reads version ${TRANSFER_VERSION}).`);
    return null;
  }
  return fields;
}

/** The line of a JSON text's first fault: where jsonFault finds it, else where JSON.parse's message says. */
function jsonErrorLine(text: string, message: string): number {
  const fault = jsonFault(text);
  if (fault !== null) return text.slice(0, Math.min(fault, text.trimEnd().length)).split("\n").length;
  const position = /at position (\d+)/.exec(message);
  return position ? text.slice(0, Number(position[1])).split("\n").length : 1;
}

const JSON_LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Where a text stops being JSON (its offset), or null if it is JSON: V8's messages do not always
 * say (`Unexpected token ']', ..."x": [1,]" is not valid JSON`). Without recursion, so deep
 * nesting cannot overflow the stack. Run only on a text JSON.parse refused.
 */
export function jsonFault(text: string): number | null {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const open: string[] = [];
  const skipSpace = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    for (i++; i < text.length; ) {
      const code = text.charCodeAt(i);
      if (code === 34) {
        i++;
        return true;
      }
      if (code < 32) return false;
      if (code === 92) {
        JSON_ESCAPE.lastIndex = i;
        if (!JSON_ESCAPE.test(text)) return false;
        i = JSON_ESCAPE.lastIndex;
      } else i++;
    }
    return false;
  };
  const key = (): boolean => {
    skipSpace();
    if (!string()) return false;
    skipSpace();
    if (text[i] !== ":") return false;
    i++;
    return true;
  };
  for (;;) {
    // A value.
    skipSpace();
    const char = text[i];
    if (char === "{" || char === "[") {
      i++;
      skipSpace();
      if (text[i] === (char === "{" ? "}" : "]")) i++;
      else {
        open.push(char);
        if (char === "{" && !key()) return i;
        continue;
      }
    } else if (char === '"') {
      if (!string()) return i;
    } else {
      JSON_LITERAL.lastIndex = i;
      const literal = JSON_LITERAL.exec(text);
      if (!literal) return i;
      i += literal[0].length;
    }
    // After a value: containers close, or a comma leads to the next value.
    for (;;) {
      skipSpace();
      const container = open.at(-1);
      if (container === undefined) return i < text.length ? i : null;
      if (text[i] === ",") {
        i++;
        if (container === "{" && !key()) return i;
        break;
      }
      if (text[i] !== (container === "{" ? "}" : "]")) return i;
      i++;
      open.pop();
    }
  }
}

/**
 * The line the value at `path` starts on (or, past the depth recorded or a key the file does not
 * have, the nearest value holding it), worked out once, on the first question: only when
 * something is wrong.
 */
function lazyJsonLines(text: string): (path: readonly PropertyKey[]) => number {
  let lines: Map<string, number> | null = null;
  return (path) => {
    lines ??= jsonValueLines(text, 6);
    for (let length = path.length; length >= 0; length--) {
      const line = lines.get(JSON.stringify(path.slice(0, length)));
      if (line !== undefined) return line;
    }
    return 1;
  };
}

/**
 * Where each value of a JSON text (one JSON.parse accepted) starts, by its path (as
 * JSON.stringify of the keys and indexes), down to `maxDepth` levels.
 */
export function jsonValueLines(text: string, maxDepth: number): Map<string, number> {
  const lines = new Map<string, number>();
  const frames: { array: boolean; index: number; key: string }[] = [];
  let line = 1;
  const record = () => {
    if (frames.length <= maxDepth) lines.set(JSON.stringify(frames.map((frame) => (frame.array ? frame.index : frame.key))), line);
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    switch (char) {
      case "\n":
        line++;
        break;
      case " ":
      case "\t":
      case "\r":
      case ":":
      case "\uFEFF":
        break;
      case ",": {
        const top = frames.at(-1);
        if (top?.array) top.index++;
        break;
      }
      case "]":
      case "}":
        frames.pop();
        break;
      case "{":
      case "[":
        record();
        frames.push({ array: char === "[", index: 0, key: "" });
        break;
      case '"': {
        let end = i + 1;
        while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
        const top = frames.at(-1);
        let after = end + 1;
        while (/\s/.test(text[after] ?? "")) after++;
        if (top && !top.array && text[after] === ":") top.key = JSON.parse(text.slice(i, end + 1)) as string;
        else record();
        i = end;
        break;
      }
      default:
        // A number, true, false or null.
        record();
        while (i + 1 < text.length && !/[\s,\]}]/.test(text[i + 1])) i++;
    }
  }
  return lines;
}

/**
 * The rows of a CSV with a header row of known column names (any order, any subset holding
 * `required`), its cells un-neutralised; a blank cell (spaces only) is left out of `cells`. What is
 * wrong with the file is added to `problems` as the rows are read, so in the order of its lines.
 */
function* csvRows<Column extends string>(
  text: string,
  columns: readonly Column[],
  required: readonly Column[],
  noun: string,
  problems: Problems,
): Generator<{ line: number; cells: Map<Column, string> }> {
  if (tooLarge(text)) {
    problems.add(1, TOO_LARGE);
    return;
  }
  try {
    const records = parseCsv(text);
    const header: CsvRecord | undefined = records.next().value ?? undefined;
    if (header === undefined) {
      problems.add(1, `The file is empty: it needs a header row (${columns.join(",")}) and a row per entry.`);
      return;
    }
    const names = header.fields.map((field) => field.trim());
    const known = new Set<string>(columns);
    const unknown = names.filter((name) => !known.has(name));
    const repeated = names.filter((name, index) => names.indexOf(name) !== index);
    const missing = required.filter((name) => !names.includes(name));
    if (unknown.length > 0 || repeated.length > 0 || missing.length > 0) {
      const what = [
        unknown.length > 0 ? `unknown column${unknown.length === 1 ? "" : "s"} ${unknown.map((name) => JSON.stringify(name)).join(", ")}` : "",
        repeated.length > 0 ? `column${repeated.length === 1 ? "" : "s"} given twice: ${repeated.join(", ")}` : "",
        missing.length > 0 ? `missing column${missing.length === 1 ? "" : "s"} ${missing.join(", ")}` : "",
      ].filter(Boolean);
      problems.add(header.line, `The header row has ${what.join("; ")}. The columns are ${columns.join(",")}.`);
      return;
    }
    let count = 0;
    for (const record of records) {
      if (count === TRANSFER_LIMITS.maxEntries) {
        problems.add(record.line, `The file holds more than ${TRANSFER_LIMITS.maxEntries.toLocaleString("en-US")} ${noun}; import at most that many at a time.`);
        return;
      }
      if (record.fields.length !== names.length) {
        problems.add(record.line, `The row has ${record.fields.length} cell${record.fields.length === 1 ? "" : "s"}; the header has ${names.length}.`);
        count++;
        continue;
      }
      const cells = new Map<Column, string>();
      record.fields.forEach((field, index) => {
        const cell = unneutralisedCell(field);
        if (cell.trim() !== "") cells.set(names[index] as Column, cell);
      });
      // A row of empty cells (a spreadsheet leaves them below its data) is no entry.
      if (cells.size === 0) continue;
      count++;
      yield { line: record.line, cells };
    }
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.add(error.line, `The file is not valid CSV: ${error.message}.`);
  }
}

/** The format a Content-Type names: CSV or JSON, else null. */
export function formatOfContentType(contentType: string | null): TransferFormat | null {
  const type = contentType?.split(";")[0].trim().toLowerCase();
  return type === "text/csv" ? "csv" : type === "application/json" ? "json" : null;
}
