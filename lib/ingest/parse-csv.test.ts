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

describe("parseCsv edge cases the native-search reader must keep", () => {
  it.each([
    ['ab"c,d\n', [{ line: 1, fields: ['ab"c', "d"], chars: 7 }]],
    ['"a"x,b\n', [{ line: 1, fields: ["ax", "b"], chars: 7 }]],
    ["a,b\rc,d\r", [{ line: 1, fields: ["a", "b"], chars: 4 }, { line: 2, fields: ["c", "d"], chars: 4 }]],
    ["a\n\rb\n", [{ line: 1, fields: ["a"], chars: 2 }, { line: 3, fields: ["b"], chars: 2 }]],
    ["a,b,", [{ line: 1, fields: ["a", "b", ""], chars: 4 }]],
    ['"x""y",\r\n,\n', [{ line: 1, fields: ['x"y', ""], chars: 9 }, { line: 2, fields: ["", ""], chars: 2 }]],
  ])("reads %j", (text, records) => {
    expect([...parseCsv(text)]).toEqual(records);
  });
});
