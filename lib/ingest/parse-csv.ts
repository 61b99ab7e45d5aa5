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
  while (position < text.length) {
    const startLine = line;
    const startPosition = position;
    const fields: string[] = [];
    let field = "";
    let atRecordEnd = false;
    while (!atRecordEnd) {
      if (text.charCodeAt(position) === QUOTE) {
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
      // Unquoted part (or whatever follows a closing quote) up to the next delimiter.
      let end = position;
      let char = text.charCodeAt(end);
      while (char !== COMMA && char !== LF && char !== CR && end < text.length) char = text.charCodeAt(++end);
      // Most fields are unquoted: take the slice itself rather than concatenating onto "".
      fields.push(field === "" ? text.slice(position, end) : field + text.slice(position, end));
      position = end;
      field = "";
      if (char === COMMA) {
        position++;
      } else {
        if (char === CR) position++;
        if (text.charCodeAt(position) === LF) position++;
        line++;
        atRecordEnd = true;
      }
    }
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    yield { line: startLine, fields, chars: position - startPosition };
  }
}

function countNewlines(chunk: string): number {
  let count = 0;
  for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) count++;
  return count;
}
