import { describe, expect, it } from "vitest";
import { revealHiddenCharacters, truncateCodePoints, visiblePlainText } from "./hidden-characters";

describe("revealHiddenCharacters", () => {
  it("names a right-to-left override, zero-width and C1 characters by their code points", () => {
    expect(revealHiddenCharacters("inv\u202Eexe.pdf")).toEqual([
      { kind: "text", text: "inv" },
      { kind: "hidden", codePoint: "U+202E" },
      { kind: "text", text: "exe.pdf" },
    ]);
    expect(revealHiddenCharacters("sv\u200Bchost\u0085\u009B\u0000")).toEqual([
      { kind: "text", text: "sv" },
      { kind: "hidden", codePoint: "U+200B" },
      { kind: "text", text: "chost" },
      { kind: "hidden", codePoint: "U+0085" },
      { kind: "hidden", codePoint: "U+009B" },
      { kind: "hidden", codePoint: "U+0000" },
    ]);
    // Isolates, marks, the word joiner, the byte-order mark, soft hyphens and tag characters too.
    expect(revealHiddenCharacters("\u2066\u200E\u2060\uFEFF\u00AD\u{E0041}").map((segment) => (segment.kind === "hidden" ? segment.codePoint : segment.text))).toEqual([
      "U+2066", "U+200E", "U+2060", "U+FEFF", "U+00AD", "U+E0041",
    ]);
  });

  it("leaves ordinary text, tabs and line breaks, and non-Latin scripts as they are", () => {
    expect(revealHiddenCharacters("powershell.exe -enc SQBFAFgA")).toEqual([{ kind: "text", text: "powershell.exe -enc SQBFAFgA" }]);
    expect(revealHiddenCharacters("a\tb\r\nc")).toEqual([{ kind: "text", text: "a\tb\r\nc" }]);
    expect(revealHiddenCharacters("ملف.exe 文件 😀")).toEqual([{ kind: "text", text: "ملف.exe 文件 😀" }]);
    expect(revealHiddenCharacters("")).toEqual([]);
  });
});

describe("truncateCodePoints", () => {
  it("cuts between code points, never inside a surrogate pair", () => {
    // "ab" then U+1F600 (two code units): a cut at 3 code points keeps the whole emoji.
    expect(truncateCodePoints("ab😀cd", 3)).toEqual({ text: "ab😀", truncated: true });
    expect(truncateCodePoints("ab😀cd", 2)).toEqual({ text: "ab", truncated: true });
    // Five code points in six code units: nothing to cut at 5.
    expect(truncateCodePoints("ab😀cd", 5)).toEqual({ text: "ab😀cd", truncated: false });
    expect(truncateCodePoints("short", 60)).toEqual({ text: "short", truncated: false });
  });
});

describe("visiblePlainText", () => {
  it("names hidden characters and cuts between code points", () => {
    expect(visiblePlainText("inv\u202Eexe.pdf", 20)).toBe("inv[U+202E]exe.pdf");
    expect(visiblePlainText("ab😀cd", 3)).toBe("ab😀…");
    expect(visiblePlainText("plain", 5)).toBe("plain");
  });
});
