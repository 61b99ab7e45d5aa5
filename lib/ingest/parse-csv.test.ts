import { describe, expect, it } from "vitest";
import { CsvSyntaxError, parseCsv } from "./parse-csv";

describe("parseCsv", () => {
  it("handles BOM, CRLF, quoted commas, doubled quotes and embedded newlines with start lines", () => {
    const text = '\uFEFFa,b\r\n1,"x, ""y"""\r\n2,"multi\r\nline"\r\n\r\n3,\r\n';
    expect([...parseCsv(text)]).toEqual([
      { line: 1, fields: ["a", "b"], chars: 5 },
      { line: 2, fields: ["1", 'x, "y"'], chars: 14 },
      { line: 3, fields: ["2", "multi\r\nline"], chars: 17 },
      { line: 6, fields: ["3", ""], chars: 4 },
    ]);
  });

  it("accepts a last line without a newline", () => {
    expect([...parseCsv("a\nb")]).toEqual([
      { line: 1, fields: ["a"], chars: 2 },
      { line: 2, fields: ["b"], chars: 1 },
    ]);
  });

  it("reports an unterminated quote at the line where its record starts", () => {
    const records = parseCsv('a,b\n1,"open\n2,3\n');
    expect(records.next().value).toEqual({ line: 1, fields: ["a", "b"], chars: 4 });
    expect(() => records.next()).toThrow(new CsvSyntaxError(2, "unterminated quoted field"));
  });
});
