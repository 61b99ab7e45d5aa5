/** KQL string literals for values from people (list entries, suppression conditions). Pure. */

/**
 * Characters written as an escape rather than as themselves: controls (a line break would end the
 * literal), format characters (bidirectional overrides and zero-width characters could make the
 * query read differently from what it does), line and paragraph separators, and lone surrogates.
 */
const ESCAPED_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * A KQL string literal whose value is exactly `value`. Plain text is a `"..."` literal; text with a
 * backslash or a double quote is a verbatim literal, `@"..."`, where a backslash stands for itself
 * and `""` for a quote. Kusto documents both, and that adjacent string literals separated by
 * whitespace are spliced into one: characters a literal cannot hold as themselves are written
 * between the runs of text as `"\n"` and `"\t"` (documented escapes) or `"\uXXXX"`, one per UTF-16
 * unit (Kusto's lexer decodes it; its documentation lists only `\t`, `\n`, `\\` and the quotes).
 * A space always separates the pieces: `@"a""\n"` would be one verbatim literal holding a quote.
 */
export function kqlStringLiteral(value: string): string {
  if (value === "") return '""';
  const pieces: string[] = [];
  let runStart = 0;
  for (const match of value.matchAll(ESCAPED_CHARACTERS)) {
    if (match.index > runStart) pieces.push(textLiteral(value.slice(runStart, match.index)));
    pieces.push(escapedLiteral(match[0]));
    runStart = match.index + match[0].length;
  }
  if (runStart < value.length) pieces.push(textLiteral(value.slice(runStart)));
  return pieces.join(" ");
}

function textLiteral(text: string): string {
  return /["\\]/.test(text) ? `@"${text.replaceAll('"', '""')}"` : `"${text}"`;
}

function escapedLiteral(character: string): string {
  if (character === "\n") return '"\\n"';
  if (character === "\t") return '"\\t"';
  let escapes = "";
  for (let index = 0; index < character.length; index++) escapes += `\\u${character.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0")}`;
  return `"${escapes}"`;
}
