/**
 * RFC 4180 CSV as Defender's portal exports it: optional BOM, CRLF or LF, quoted fields with
 * doubled quotes and embedded newlines (command lines carry both). Each record reports the
 * physical line it starts on, so rejected rows can be named by line.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** Length of the record's text, delimiters included. */
  chars: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export function* parseCsv(text: string): Generator<CsvRecord> {
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  // Where the next quote, LF and CR are (text.length when there is none), each found by a native
  // search and searched again only once passed. Between them lie plain fields, split natively:
  // a Defender row is some ninety fields but only a few runs (around its quoted command lines),
  // and going character by character in JavaScript took twice as long.
  let nextQuote = -1;
  let nextLF = -1;
  let nextCR = -1;
  while (position < text.length) {
    const startLine = line;
    const startPosition = position;
    const fields: string[] = [];
    for (;;) {
      // At the start of a field.
      if (nextQuote < position) nextQuote = indexOrEnd(text, '"', position);
      if (nextLF < position) nextLF = indexOrEnd(text, "\n", position);
      if (nextCR < position) nextCR = indexOrEnd(text, "\r", position);
      const stop = Math.min(nextQuote, nextLF, nextCR);
      // Every field that ends at a comma before `stop` is complete: take them all in one split.
      if (stop > position) {
        const plain = text.slice(position, stop).split(",");
        const last = plain.length - 1;
        for (let index = 0; index < last; index++) fields.push(plain[index]);
        position = stop - plain[last].length;
      }
      // The field that reaches `stop`: quoted if the quote opens it, else read up to its delimiter.
      let field = "";
      let end = stop;
      if (text.charCodeAt(stop) === QUOTE) {
        const quoted = position === stop;
        if (quoted) {
          position++;
          for (;;) {
            const quote = text.indexOf('"', position);
            if (quote === -1) throw new CsvSyntaxError(startLine, "unterminated quoted field");
            const chunk = text.slice(position, quote);
            line += countNewlines(chunk);
            field += chunk;
            if (text.charCodeAt(quote + 1) === QUOTE) {
              field += '"';
              position = quote + 2;
            } else {
              position = quote + 1;
              break;
            }
          }
        }
        // Whatever follows a closing quote, or the rest of a field with a quote inside it (just a
        // character there), runs to the next delimiter.
        end = endOfUnquoted(text, quoted ? position : stop);
      }
      // Most fields are unquoted: take the slice itself rather than concatenating onto "".
      fields.push(field === "" ? text.slice(position, end) : field + text.slice(position, end));
      position = end;
      const char = text.charCodeAt(position);
      if (char === COMMA) {
        position++;
      } else {
        if (char === CR) position++;
        if (text.charCodeAt(position) === LF) position++;
        line++;
        break;
      }
    }
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    yield { line: startLine, fields, chars: position - startPosition };
  }
}

/** The first comma, CR or LF at or after `position`, or the text's end. */
function endOfUnquoted(text: string, position: number): number {
  let end = position;
  let char = text.charCodeAt(end);
  while (char !== COMMA && char !== LF && char !== CR && end < text.length) char = text.charCodeAt(++end);
  return end;
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}

function countNewlines(chunk: string): number {
  let count = 0;
  for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) count++;
  return count;
}
