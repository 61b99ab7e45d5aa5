/**
 * Event strings are attacker-controlled: a right-to-left override makes `inv\u202Eexe.pdf` read
 * as "invfdp.exe", a zero-width space makes two names look equal, a C1 control hides in a
 * command line. Shown to an analyst, such characters are made visible as their code points, and
 * the text is cut only between code points. Pure.
 */

/** Controls (Cc) and invisible format characters (Cf: bidi controls, zero-width, soft hyphen, tags), but tab and line breaks. */
const HIDDEN = /[\p{Cc}\p{Cf}]/gu;
const KEPT_CONTROLS = new Set(["\t", "\n", "\r"]);

export type TextSegment = { kind: "text"; text: string } | { kind: "hidden"; codePoint: string };

/** The text in order, with each hidden character as its own segment named by its code point (U+202E). */
export function revealHiddenCharacters(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let from = 0;
  for (const match of text.matchAll(HIDDEN)) {
    if (KEPT_CONTROLS.has(match[0])) continue;
    if (match.index > from) segments.push({ kind: "text", text: text.slice(from, match.index) });
    segments.push({ kind: "hidden", codePoint: `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` });
    from = match.index + match[0].length;
  }
  if (from < text.length) segments.push({ kind: "text", text: text.slice(from) });
  return segments;
}

/** The first `limit` code points: a surrogate pair (an emoji, a rare CJK character) is never split. */
export function truncateCodePoints(text: string, limit: number): { text: string; truncated: boolean } {
  // Only a string longer than `limit` code units can be longer than `limit` code points.
  if (text.length <= limit) return { text, truncated: false };
  const codePoints = Array.from(text);
  if (codePoints.length <= limit) return { text, truncated: false };
  return { text: codePoints.slice(0, limit).join(""), truncated: true };
}

/** Plain text for where markup cannot go (a tooltip): hidden characters named by code point, cut to `limit` code points. */
export function visiblePlainText(text: string, limit: number): string {
  const cut = truncateCodePoints(text, limit);
  const shown = revealHiddenCharacters(cut.text)
    .map((segment) => (segment.kind === "text" ? segment.text : `[${segment.codePoint}]`))
    .join("");
  return cut.truncated ? `${shown}…` : shown;
}
