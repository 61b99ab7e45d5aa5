/**
 * Reads a JSON document as it arrives, with bounded memory: each row of the API's
 * `{"Schema", "Results"}` (Graph spells it `results`) or of a top-level array is handed over as
 * soon as it is complete, numbered by its position; everything else is checked and dropped as it
 * is read. Built on @streamparser/json's tokenizer and token parser; pure, no I/O.
 *
 * Memory stays bounded whatever the input: nesting is limited, and at checks every 1/64 of the
 * limit a row (or any value at row level) or a single token still open after more than
 * `maxValueChars` is refused. Checks fall at fixed positions of the text, so the outcome does not
 * depend on how the text is chunked.
 */
import { TokenParser, Tokenizer, TokenType, type ParsedTokenInfo } from "@streamparser/json";
import { jsonRow, type RawRow } from "./read-raw-rows";
import { describeCharLimit, TelemetryFileError } from "./telemetry-file-error";

/** Deepest nesting read: rows nest a few levels (Winlogbeat's winlog.event_data); far deeper is hostile. */
const MAX_JSON_DEPTH = 64;

/** Top-level keys of an object document whose array holds the rows. */
const ROW_ARRAY_KEYS = new Set(["Results", "results"]);

// Read once: the package's exports are getters, too slow to call for every token.
const { LEFT_BRACE, RIGHT_BRACE, LEFT_BRACKET, RIGHT_BRACKET, COMMA, STRING } = TokenType;

/** The text is not one well-formed JSON document. */
export class JsonSyntaxError extends Error {}

export class JsonDocumentReader {
  private readonly tokenizer = new Tokenizer();
  private readonly tokenParser: TokenParser;
  /** Rows completed while the tokenizer reads a piece of text, handed over once it returns. */
  private completedRows: RawRow[] = [];
  private rowsCompleted = 0;
  /** Depth of the arrays whose elements are rows: the document's own (1) or its Results (2). */
  private readonly rowDepth: number;
  private depth = 0;
  private rowArrayOpened = false;
  private topLevelKey: string | null = null;
  private expectingTopLevelKey = false;
  /** Byte offsets in the document: of the token being read, and of where the open value at row depth began. */
  private tokenOffset = 0;
  private rowValueOffset = 0;

  private readonly checkIntervalChars: number;
  private charsRead = 0;
  private checksDone = 0;
  /** The check count when the last token arrived, and when the open value at row depth began (-1: none open). */
  private lastTokenAtCheck = 0;
  private rowValueStartAtCheck = -1;

  constructor(
    readonly root: "array" | "object",
    private readonly onRow: (row: RawRow) => void,
    private readonly maxValueChars: number,
  ) {
    this.rowDepth = root === "array" ? 1 : 2;
    this.checkIntervalChars = Math.max(1, Math.ceil(maxValueChars / 64));
    // keepStack false: what is not emitted is dropped from its parent once complete.
    this.tokenParser = new TokenParser({ paths: root === "array" ? ["$.*"] : ["$.Results.*", "$.results.*"], keepStack: false });
    this.tokenParser.onValue = ({ value, key, parent }) => {
      // A Results object rather than array holds no rows.
      if (!Array.isArray(parent) || typeof key !== "number") return;
      this.rowsCompleted++;
      // Emitted as its last token is read: a row that is an object or array spans from its opening one.
      const chars = typeof value === "object" && value !== null ? this.tokenOffset - this.rowValueOffset + 1 : 0;
      this.completedRows.push(jsonRow(value, key + 1, chars));
    };
    this.tokenizer.onToken = (token) => {
      this.tokenOffset = token.offset;
      this.tokenParser.write(token);
      this.track(token);
    };
    // As the library's JSONParser wires them: whichever ends first ends the other.
    this.tokenizer.onEnd = () => {
      if (!this.tokenParser.isEnded) this.tokenParser.end();
    };
    this.tokenParser.onEnd = () => {
      if (!this.tokenizer.isEnded) this.tokenizer.end();
    };
  }

  /**
   * Whether the rows have begun (the top-level array, or the Results array, has opened). Until
   * then an object document may yet be a single record, or not JSON at all.
   */
  get rowsStarted(): boolean {
    return this.rowArrayOpened;
  }

  write(text: string): void {
    for (let start = 0; start < text.length; ) {
      const end = Math.min(text.length, start + this.checkIntervalChars - (this.charsRead % this.checkIntervalChars));
      this.read(text.slice(start, end));
      this.charsRead += end - start;
      start = end;
      if (this.charsRead % this.checkIntervalChars === 0) this.check();
    }
  }

  /** Throws JsonSyntaxError when the document is incomplete. */
  end(): void {
    this.read(null);
  }

  private read(piece: string | null): void {
    try {
      if (piece !== null) this.tokenizer.write(piece);
      else if (!this.tokenizer.isEnded) this.tokenizer.end();
    } catch (error) {
      if (error instanceof TelemetryFileError) throw error;
      throw new JsonSyntaxError(describeSyntaxError(error));
    }
    const rows = this.completedRows;
    this.completedRows = [];
    for (const row of rows) this.onRow(row);
  }

  private track({ token, value }: ParsedTokenInfo): void {
    this.lastTokenAtCheck = this.checksDone;
    if (token === LEFT_BRACE || token === LEFT_BRACKET) {
      if (this.depth === this.rowDepth) {
        this.rowValueStartAtCheck = this.checksDone;
        this.rowValueOffset = this.tokenOffset;
      }
      this.depth++;
      if (this.depth > MAX_JSON_DEPTH) {
        throw new TelemetryFileError(`The JSON document nests deeper than ${MAX_JSON_DEPTH} levels (after row ${this.rowsCompleted}); telemetry rows never do.`, 400);
      }
      if (this.depth === 1) this.expectingTopLevelKey = token === LEFT_BRACE;
      if (token === LEFT_BRACKET && this.depth === this.rowDepth && (this.depth === 1 || ROW_ARRAY_KEYS.has(this.topLevelKey ?? ""))) {
        this.rowArrayOpened = true;
      }
    } else if (token === RIGHT_BRACE || token === RIGHT_BRACKET) {
      this.depth--;
      if (this.depth === this.rowDepth) this.rowValueStartAtCheck = -1;
    } else if (this.depth === 1 && this.root === "object") {
      // Members of the top-level object alternate: key, colon, value, comma.
      if (token === COMMA) this.expectingTopLevelKey = true;
      else if (token === STRING && this.expectingTopLevelKey) {
        this.topLevelKey = value as string;
        this.expectingTopLevelKey = false;
      }
    }
  }

  private check(): void {
    this.checksDone++;
    const openSince = this.rowValueStartAtCheck >= 0 ? this.rowValueStartAtCheck : this.lastTokenAtCheck;
    // Counted from the first check after it began: what is refused is surely longer than the limit.
    if ((this.checksDone - openSince - 1) * this.checkIntervalChars > this.maxValueChars) {
      throw new TelemetryFileError(`A row or value of the JSON document (after row ${this.rowsCompleted}) is longer than ${describeCharLimit(this.maxValueChars)}.`, 400);
    }
    if (!this.rowArrayOpened && this.charsRead > this.maxValueChars) {
      throw new TelemetryFileError(
        `The JSON document has no rows (a "Results" or top-level array) in its first ${describeCharLimit(this.maxValueChars)}, and a document without rows is read whole, up to that size: export CSV or NDJSON instead.`,
        413,
      );
    }
  }
}

/** The parser's message, with positions in the file rather than in the piece it was reading. */
function describeSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/ at chunk position "\d+" \(absolute position "(\d+)"\)/, " at byte $1").slice(0, 300);
}
