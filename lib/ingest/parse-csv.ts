/**
 * RFC 4180 CSV as Defender's portal exports it: optional BOM, CRLF or LF, quoted fields with
 * doubled quotes and embedded newlines (command lines carry both). Each record reports the
 * physical line it starts on, so rejected rows can be named by line.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export function* parseCsv(text: string): Generator<CsvRecord> {
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (position < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let atRecordEnd = false;
    while (!atRecordEnd) {
      if (text[position] === '"') {
        position++;
        for (;;) {
          const quote = text.indexOf('"', position);
          if (quote === -1) throw new CsvSyntaxError(startLine, "unterminated quoted field");
          const chunk = text.slice(position, quote);
          line += countNewlines(chunk);
          field += chunk;
          if (text[quote + 1] === '"') {
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
      while (end < text.length && text[end] !== "," && text[end] !== "\n" && text[end] !== "\r") end++;
      field += text.slice(position, end);
      position = end;
      fields.push(field);
      field = "";
      if (text[position] === ",") {
        position++;
      } else {
        if (text[position] === "\r") position++;
        if (text[position] === "\n") position++;
        line++;
        atRecordEnd = true;
      }
    }
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    yield { line: startLine, fields };
  }
}

function countNewlines(chunk: string): number {
  let count = 0;
  for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) count++;
  return count;
}
