import { describe, expect, it } from "vitest";
import { parseCsv } from "../ingest/parse-csv";
import { findingsCsv } from "../triage/finding-export";
import { suppressionInputSchema, type SuppressionInput } from "./suppression";
import {
  jsonFault,
  jsonValueLines,
  listsCsv,
  listsJson,
  parseLists,
  parseSuppressions,
  suppressionsCsv,
  suppressionsJson,
  TRANSFER_LIMITS,
  unneutralisedCell,
  type ExportedLists,
  type ExportedSuppression,
  type ImportResult,
} from "./tuning-transfer";

const HEADER = "processName,processPath,sha256,remoteIp,remotePort,remoteDomain,deviceName,accountName,reason,expiresAt,createdBy,createdAt";

const backup: ExportedSuppression = {
  conditions: { processName: "=calc.exe", remoteIp: ["203.0.113.0/24", "198.51.100.7"], remotePort: [443, 8443] },
  reason: 'Backup, "nightly"',
  expiresAt: "2026-12-31T00:00:00.000Z",
  createdBy: "alice",
  createdAt: "2026-01-02T03:04:05.000Z",
};
const hashed: ExportedSuppression = {
  conditions: { sha256: "ab".repeat(32), processPath: "C:\\Program Files\\Veeam\\*.exe", remoteDomain: "*.backup.example.com", deviceName: "srv-bkp-01", accountName: "svc-veeam" },
  reason: "Veeam",
  expiresAt: null,
  createdBy: "token:ci",
  createdAt: "2026-01-03T00:00:00.000Z",
};

const inputOf = ({ conditions, reason, expiresAt }: ExportedSuppression): SuppressionInput => ({ conditions, reason, expiresAt });
const problemsOf = <T>(result: ImportResult<T>) => (result.ok ? [] : result.problems);
const valueOf = <T>(result: ImportResult<T>): T => {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.value;
};

describe("suppressions written", () => {
  it("as CSV: a header, one row per entry, lists space-separated, quoted where needed, a formula cell behind '", () => {
    expect(suppressionsCsv([backup, hashed])).toBe(
      [
        HEADER,
        `'=calc.exe,,,203.0.113.0/24 198.51.100.7,443 8443,,,,"Backup, ""nightly""",2026-12-31T00:00:00.000Z,alice,2026-01-02T03:04:05.000Z`,
        `,C:\\Program Files\\Veeam\\*.exe,${"ab".repeat(32)},,,*.backup.example.com,srv-bkp-01,svc-veeam,Veeam,,token:ci,2026-01-03T00:00:00.000Z`,
        "",
      ].join("\n"),
    );
  });

  it("as JSON: the format, its version and each entry with who added it and when", () => {
    expect(JSON.parse(suppressionsJson([backup]))).toEqual({
      format: "cipherwatch-suppressions",
      version: 1,
      suppressions: [
        {
          conditions: { processName: "=calc.exe", remoteIp: ["203.0.113.0/24", "198.51.100.7"], remotePort: [443, 8443] },
          reason: 'Backup, "nightly"',
          expiresAt: "2026-12-31T00:00:00.000Z",
          createdBy: "alice",
          createdAt: "2026-01-02T03:04:05.000Z",
        },
      ],
    });
  });
});

/** Text an attacker or analyst may put in a name, a path or a reason (none with spaces at its ends: the schema trims them). */
const HOSTILE = [
  "=1+1",
  "+SUM(A1:A9)",
  "-2+3",
  "@cmd",
  "=cmd|' /C calc'!A0",
  "'=already quoted",
  "''+two quotes",
  "'plain quote",
  "'",
  "''",
  "-",
  "=",
  "\uFF1Dfull-width equals",
  "\uFF20full-width at",
  'say "hi", then go',
  "line one\nline two",
  "crlf\r\ninside",
  "cr\ronly",
  "tab\tinside",
  "\u202Eexe.txt",
  'trailing quote"',
  ",leading comma",
];

describe("suppressions read back", () => {
  const hostileEntries: ExportedSuppression[] = HOSTILE.map((text, index) => ({
    conditions: { processName: text, processPath: `C:\\x\\${text}`, deviceName: text, accountName: text, remotePort: [index] },
    reason: text,
    expiresAt: index % 2 === 0 ? null : "2027-01-01T00:00:00.000Z",
    createdBy: text,
    createdAt: "2026-01-01T00:00:00.000Z",
  }));
  // What the store holds: what the schema made of them.
  const stored = [backup, hashed, ...hostileEntries].map((entry) => ({ ...entry, ...suppressionInputSchema.parse(inputOf(entry)) }));
  const inputs = stored.map(inputOf);

  it("from CSV exactly as written, hostile text included", () => {
    expect(stored.map((entry) => entry.reason).slice(2)).toEqual(HOSTILE);
    expect(valueOf(parseSuppressions(suppressionsCsv(stored), "csv"))).toEqual(inputs);
  });

  it("from JSON exactly as written, hostile text included", () => {
    expect(valueOf(parseSuppressions(suppressionsJson(stored), "json"))).toEqual(inputs);
  });

  it("neutralises every cell a spreadsheet would run, names included, and only those", () => {
    const records = [...parseCsv(suppressionsCsv(hostileEntries))].slice(1);
    const reasonColumn = HEADER.split(",").indexOf("reason");
    const written = records.map((record) => record.fields[reasonColumn]);
    expect(written).toEqual(
      HOSTILE.map((text) =>
        ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "=cmd|' /C calc'!A0", "-", "=", "\uFF1Dfull-width equals", "\uFF20full-width at"].includes(text)
          ? `'${text}`
          : // A ' that stripping would take for the neutralisation gets one more.
            ["'=already quoted", "''+two quotes"].includes(text)
            ? `'${text}`
            : text,
      ),
    );
    for (const record of records) {
      expect(record.fields[0]).toBe(record.fields[reasonColumn]); // processName
      expect(record.fields[HEADER.split(",").indexOf("createdBy")]).toBe(record.fields[reasonColumn]);
    }
  });

  it("strips the ' of a hand-written cell only before a formula character, after any further '", () => {
    expect(unneutralisedCell("'=SUM(A1)")).toBe("=SUM(A1)");
    expect(unneutralisedCell("''=SUM(A1)")).toBe("'=SUM(A1)");
    expect(unneutralisedCell("'''-x")).toBe("''-x");
    expect(unneutralisedCell("'plain")).toBe("'plain");
    expect(unneutralisedCell("''")).toBe("''");
    expect(unneutralisedCell("=x")).toBe("=x");
    const file = `${HEADER}\n'=cmd.exe,,,10.0.0.1,,,,,'=reason,,,\n'notepad.exe,,,10.0.0.2,,,,,'quoted,,,\n`;
    expect(valueOf(parseSuppressions(file, "csv")).map(({ conditions, reason }) => [conditions.processName, reason])).toEqual([
      ["=cmd.exe", "=reason"],
      ["'notepad.exe", "'quoted"],
    ]);
  });

  it("strips ' before exactly the characters csv-stringify neutralises", () => {
    const candidates = [...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)), "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20", "\uFF07", "\u2212"].filter((char) => char !== "'");
    for (const char of candidates) {
      const neutralised = findingsCsv([[`${char}x`]]).replace(/^"|"?\n$/g, "").startsWith("'");
      const stripped = unneutralisedCell(`'${char}x`) === `${char}x`;
      expect([JSON.stringify(char), stripped]).toEqual([JSON.stringify(char), neutralised]);
    }
  });

  it("takes remote addresses and ports separated by spaces, semicolons or commas, and columns in any order", () => {
    const file = `reason,remotePort,remoteIp,processName\nx,"443;8443 , 9000","10.0.0.1; 10.0.0.2 ,10.0.0.0/8",a.exe\n`;
    expect(valueOf(parseSuppressions(file, "csv"))).toEqual([
      { conditions: { processName: "a.exe", remoteIp: ["10.0.0.1", "10.0.0.2", "10.0.0.0/8"], remotePort: [443, 8443, 9000] }, reason: "x", expiresAt: null },
    ]);
  });

  it("reads an export written by this format's JSON, createdBy and createdAt past, with BOM and CRLF", () => {
    const json = `\uFEFF${suppressionsJson([backup]).replaceAll("\n", "\r\n")}`;
    expect(valueOf(parseSuppressions(json, "json"))).toEqual([inputOf(backup)]);
    const csv = `\uFEFF${suppressionsCsv([backup]).replaceAll("\n", "\r\n")}`;
    expect(valueOf(parseSuppressions(csv, "csv"))).toEqual([inputOf(backup)]);
  });
});

describe("suppression files refused", () => {
  it("lists every invalid CSV row by the line it starts on, with the schema's message, and nothing else", () => {
    const file = [
      HEADER,
      ",,,10.0.0.1,,,,,fine,,,",
      `,,,10.0.0.2,,,,,"a reason`,
      `on two lines",,,`,
      ",,,10.0.0.0/4,,,,,too wide,,,",
      "a.exe,,,,,,,, ,,,",
      ",,,,443,,,,ports only,,,",
      "b.exe,,,,44x3,,,,bad port,,,",
      "c.exe,,,,,,,,late,2026-13-01,,",
      "d.exe,,,,,,,,short row",
    ].join("\n");
    const result = parseSuppressions(file, "csv");
    expect(result.ok).toBe(false);
    expect(problemsOf(result)).toEqual([
      { line: 5, message: "remoteIp: A CIDR block is at least /8 (IPv4) or /16 (IPv6; an IPv4-mapped block /104)." },
      { line: 6, message: "reason: A suppression needs a reason." },
      {
        line: 7,
        message:
          "Name what is suppressed: a process name, path or SHA256, or remote addresses; a device, account, port or domain alone would hide too much.",
      },
      { line: 8, message: 'remotePort: "44x3" is not a port (a whole number from 0 to 65535).' },
      { line: 9, message: "expiresAt is an ISO 8601 time with its zone, e.g. 2026-12-31T00:00:00Z." },
      { line: 10, message: "The row has 9 cells; the header has 12." },
    ]);
    expect(result.ok === false && result.problemCount).toBe(6);
  });

  it("names the line of the invalid value in JSON", () => {
    const json = suppressionsJson([backup, hashed]).replace('"198.51.100.7"', '"not-an-ip"').replace('"reason": "Veeam"', '"reason": ""');
    const lines = json.split("\n");
    const result = parseSuppressions(json, "json");
    expect(problemsOf(result)).toEqual([
      { line: lines.findIndex((line) => line.includes("not-an-ip")) + 1, message: "Suppression 1: conditions.remoteIp.1: remoteIp takes IPv4 or IPv6 addresses or CIDR blocks." },
      { line: lines.findIndex((line) => line.includes('"reason": ""')) + 1, message: "Suppression 2: reason: A suppression needs a reason." },
    ]);
  });

  it("refuses what is not an export of suppressions, saying why", () => {
    expect(problemsOf(parseSuppressions("", "csv"))).toEqual([
      { line: 1, message: `The file is empty: it needs a header row (${HEADER}) and a row per entry.` },
    ]);
    expect(problemsOf(parseSuppressions("processName,reason,colour\n", "csv"))).toEqual([
      { line: 1, message: `The header row has unknown column "colour". The columns are ${HEADER}.` },
    ]);
    expect(problemsOf(parseSuppressions("processName,processName\n", "csv"))).toEqual([
      { line: 1, message: `The header row has column given twice: processName; missing column reason. The columns are ${HEADER}.` },
    ]);
    expect(problemsOf(parseSuppressions('reason\n"open\n', "csv"))).toEqual([{ line: 2, message: "The file is not valid CSV: unterminated quoted field." }]);
    expect(problemsOf(parseSuppressions('{\n  "format": "cipherwatch-suppressions",\n  "version": 1,\n  "suppressions": [1,]\n}', "json"))).toEqual([
      { line: 4, message: "The file is not valid JSON: Unexpected token ']'." },
    ]);
    expect(problemsOf(parseSuppressions('{"format": "cipherwatch-lists", "version": 1, "lists": {}}', "json"))).toEqual([
      { line: 1, message: 'This is a lists export ("format": "cipherwatch-lists"): import it there.' },
    ]);
    expect(problemsOf(parseSuppressions('[{"conditions": {"processName": "a"}, "reason": "r"}]', "json"))).toEqual([
      { line: 1, message: 'Not a Cipherwatch suppressions export: the file is an object with "format": "cipherwatch-suppressions", "version": 1 and "suppressions".' },
    ]);
    expect(problemsOf(parseSuppressions('{"format": "cipherwatch-suppressions", "version": 2, "suppressions": []}', "json"))).toEqual([
      { line: 1, message: "Version 2 of this format is not one this server reads (it reads version 1)." },
    ]);
    expect(problemsOf(parseSuppressions('{"format": "cipherwatch-suppressions", "version": 1, "suppressions": [\n 7,\n {"conditions": {"processName": "a"}, "reason": "r", "colour": "red"}]}', "json"))).toEqual([
      { line: 2, message: "Suppression 1 is not an object." },
      { line: 3, message: 'Suppression 2: Unrecognized key: "colour"' },
    ]);
  });

  it("lists the first 100 problems and counts them all", () => {
    const file = [HEADER, ...Array.from({ length: 150 }, () => ",,,,,,,,,,,")].join("\n").replaceAll(",,,,,,,,,,,", "x.exe,,,,,,,,,,,");
    const result = parseSuppressions(file, "csv");
    expect(result.ok === false && [result.problems.length, result.problemCount, result.problems[0], result.problems[99].line]).toEqual([
      100,
      150,
      { line: 2, message: "reason: A suppression needs a reason." },
      101,
    ]);
  });

  it("takes at most 10,000 entries and 5 MiB", () => {
    const row = "a.exe,,,,,,,,r,,,";
    const atLimit = [HEADER, ...Array.from({ length: TRANSFER_LIMITS.maxEntries }, () => row)].join("\n");
    expect(valueOf(parseSuppressions(atLimit, "csv"))).toHaveLength(10_000);
    expect(problemsOf(parseSuppressions(`${atLimit}\n${row}`, "csv"))).toEqual([
      { line: 10_002, message: "The file holds more than 10,000 suppressions; import at most that many at a time." },
    ]);
    const many = { format: "cipherwatch-suppressions", version: 1, suppressions: Array.from({ length: 10_001 }, () => ({ conditions: { processName: "a" }, reason: "r" })) };
    expect(problemsOf(parseSuppressions(JSON.stringify(many), "json"))).toEqual([{ line: 1, message: "The file holds 10,001 suppressions; import at most 10,000 at a time." }]);
    const huge = `${HEADER}\n${"a.exe,,,,,,,,r,,,\n".repeat(Math.ceil(TRANSFER_LIMITS.maxBytes / 16))}`;
    expect(problemsOf(parseSuppressions(huge, "csv"))).toEqual([{ line: 1, message: "The file is larger than 5 MiB, the most an import reads." }]);
    expect(problemsOf(parseSuppressions(huge, "json"))).toEqual([{ line: 1, message: "The file is larger than 5 MiB, the most an import reads." }]);
  });
});

const lists: ExportedLists = {
  cryptoLibraries: ["bcrypt.dll", "=evil.dll"],
  excludedSystemProcesses: [],
  excludedBrowsers: ["chrome.exe"],
  standardPorts: ["443", "8443"],
};

describe("lists", () => {
  it("are written as CSV (list,value, formula cells behind ') and JSON (ports as numbers)", () => {
    expect(listsCsv(lists)).toBe("list,value\ncryptoLibraries,bcrypt.dll\ncryptoLibraries,'=evil.dll\nexcludedBrowsers,chrome.exe\nstandardPorts,443\nstandardPorts,8443\n");
    expect(JSON.parse(listsJson(lists))).toEqual({
      format: "cipherwatch-lists",
      version: 1,
      lists: { cryptoLibraries: ["bcrypt.dll", "=evil.dll"], excludedSystemProcesses: [], excludedBrowsers: ["chrome.exe"], standardPorts: [443, 8443] },
    });
  });

  it("are read back as written; a CSV names only the lists it has rows for, JSON an empty one too", () => {
    expect(valueOf(parseLists(listsCsv(lists), "csv"))).toEqual({ cryptoLibraries: ["bcrypt.dll", "=evil.dll"], excludedBrowsers: ["chrome.exe"], standardPorts: ["443", "8443"] });
    expect(valueOf(parseLists(listsJson(lists), "json"))).toEqual(lists);
  });

  it("normalise values as the editor does and keep a value given twice (the import skips it)", () => {
    const file = 'value,list\n" 0443 ",standardPorts\nArc.exe,excludedBrowsers\narc.exe,excludedBrowsers\n';
    expect(valueOf(parseLists(file, "csv"))).toEqual({ standardPorts: ["443"], excludedBrowsers: ["Arc.exe", "arc.exe"] });
    expect(valueOf(parseLists('{"format":"cipherwatch-lists","version":1,"lists":{"standardPorts":[22,"2222"]}}', "json"))).toEqual({ standardPorts: ["22", "2222"] });
  });

  it("refuse invalid values and unknown lists with their lines", () => {
    const csv = "list,value\ncryptoLibraries,ok.dll\nstandardPorts,70000\nbrowsers,x.exe\nexcludedBrowsers,C:\\x\\chrome.exe\nexcludedBrowsers,\n";
    expect(problemsOf(parseLists(csv, "csv"))).toEqual([
      { line: 3, message: "value: A port is a whole number from 1 to 65535." },
      { line: 4, message: 'list: "browsers" is not a list: the lists are cryptoLibraries, excludedSystemProcesses, excludedBrowsers, standardPorts.' },
      { line: 5, message: 'value: A file name has no path separators or characters Windows forbids (\\ / : * ? " < > |).' },
      { line: 6, message: "value: A file name cannot be empty." },
    ]);
    const json = '{\n "format": "cipherwatch-lists",\n "version": 1,\n "lists": {\n  "standardPorts": [\n   443,\n   "x"\n  ],\n  "other": [],\n  "excludedBrowsers": [true]\n }\n}';
    expect(problemsOf(parseLists(json, "json"))).toEqual([
      { line: 7, message: "standardPorts value 2: A port is a whole number from 1 to 65535." },
      { line: 9, message: '"other" is not a list: the lists are cryptoLibraries, excludedSystemProcesses, excludedBrowsers, standardPorts.' },
      { line: 10, message: "excludedBrowsers value 1: A value is text or a number." },
    ]);
    expect(problemsOf(parseLists("list\ncryptoLibraries\n", "csv"))).toEqual([{ line: 1, message: "The header row has missing column value. The columns are list,value." }]);
  });

  it("take at most 10,000 values", () => {
    const json = JSON.stringify({ format: "cipherwatch-lists", version: 1, lists: { standardPorts: Array.from({ length: 10_001 }, (_, index) => (index % 65535) + 1) } });
    expect(problemsOf(parseLists(json, "json"))).toEqual([{ line: 1, message: "The file holds 10,001 values; import at most 10,000 at a time." }]);
  });
});

describe("jsonValueLines", () => {
  it("gives the line each value starts on, by path, keys with escapes and brackets in strings included", () => {
    const text = '{\n  "a": [\n    1,\n    { "b\\"]": "x,]}" }\n  ],\n  "c":\n    null\n}';
    expect(Object.fromEntries(jsonValueLines(text, 3))).toEqual({
      "[]": 1,
      '["a"]': 2,
      '["a",0]': 3,
      '["a",1]': 4,
      '["a",1,"b\\"]"]': 4,
      '["c"]': 7,
    });
  });
});

describe("jsonFault", () => {
  it("finds nothing wrong with JSON, whatever it holds", () => {
    for (const text of ["{}", "[]", ' { "a" : [ 1 , -2.5e+3 , true , false , null , "\\u00e9\\n\\"" ] } ', '"s"', "0", "\uFEFF[[[]]]"]) {
      expect([text, jsonFault(text)]).toEqual([text, null]);
    }
  });

  it("points at the first character that stops a text being JSON", () => {
    const faults: [string, number][] = [
      ['{"a":1,}', 7],
      ["[1,]", 3],
      ['{"a" 1}', 5],
      ["{a:1}", 1],
      ["[01]", 2],
      ['"\\x"', 1],
      ['"a\nb"', 2],
      ["[1 2]", 3],
      ["", 0],
      ['{"a":1', 6],
      ["[tru]", 1],
      ['{"a":1}}', 7],
      ["{'a':1}", 1],
    ];
    for (const [text, offset] of faults) expect([text, jsonFault(text)]).toEqual([text, offset]);
  });

  it("takes deep nesting without running out of stack", () => {
    expect(jsonFault("[".repeat(200_000))).toBe(200_000);
  });
});
