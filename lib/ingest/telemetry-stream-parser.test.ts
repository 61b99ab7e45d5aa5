import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { TelemetryStreamParser, type StreamParserLimits } from "./telemetry-stream-parser";
import { TelemetryFileError } from "./telemetry-file-error";

const TEST_LIMITS: StreamParserLimits = { batchSize: 2, maxBatchChars: 1_000_000, maxRecordChars: 10_000 };

function parseInChunks(text: string, chunkSize: number, limits: Partial<StreamParserLimits> = {}) {
  const batches: TelemetryEvent[][] = [];
  const parser = new TelemetryStreamParser((batch) => batches.push(batch), { ...TEST_LIMITS, ...limits });
  for (let start = 0; start < text.length; start += chunkSize) parser.write(text.slice(start, start + chunkSize));
  return { summary: parser.end(), batches };
}

/** What a parse gives: the summary and events, or the file's error; for comparing chunkings. */
function outcome(text: string, chunkSize: number, limits: Partial<StreamParserLimits> = {}) {
  try {
    const { summary, batches } = parseInChunks(text, chunkSize, limits);
    return { summary, events: batches.flat() };
  } catch (error) {
    if (!(error instanceof TelemetryFileError)) throw error;
    return { error: { status: error.status, message: error.message } };
  }
}

const CSV = [
  "\uFEFFTimestamp,DeviceName,ActionType,FileName,ProcessId,ProcessCommandLine",
  '2024-01-01T10:00:00Z,ws-1,ProcessCreated,cmd.exe,1,"cmd /c ""a,b""\r\nsecond line"',
  "2024-01-01T10:00:01Z,ws-1,ProcessCreated,,2,bad row",
  "",
  "2024-01-01T10:00:02Z,ws-1,ProcessCreated,a.exe,3,plain",
  "2024-01-01T10:00:03Z,ws-1,ProcessCreated,b.exe,4",
  "2024-01-01T10:00:04Z,ws-1,ProcessCreated,c.exe,5,last",
].join("\r\n");

const NDJSON = [
  JSON.stringify({ Timestamp: "2024-01-01T10:00:00Z", DeviceName: "d", ActionType: "ImageLoaded", FileName: "bcrypt.dll", InitiatingProcessId: 7 }),
  "",
  "{not json",
  JSON.stringify({ Timestamp: "2024-01-01T10:00:01Z", DeviceName: "d", ActionType: "ImageLoaded", FileName: "ncrypt.dll", InitiatingProcessId: 7 }),
  JSON.stringify({ Timestamp: "2024-01-01T10:00:02Z", DeviceName: "d", ActionType: "ImageLoaded", FileName: "rsaenh.dll", InitiatingProcessId: 7 }),
].join("\n");

describe("TelemetryStreamParser", () => {
  it.each([1, 3, 17, 64, 100_000])("gives the same CSV result whatever the chunk size (%i)", (chunkSize) => {
    const { summary, batches } = parseInChunks(CSV, chunkSize, { maxRecordChars: 100 });
    expect(summary).toEqual({
      format: "csv",
      tables: ["DeviceProcessEvents"],
      accepted: 3,
      rejected: 2,
      ignored: 0,
      errors: [
        { line: 4, message: "FileName: required for ProcessCreated rows" },
        { line: 7, message: "expected 6 fields, found 5" },
      ],
    });
    const events = batches.flat();
    expect(events.map((e) => [e.processId, e.processCommandLine])).toEqual([
      [1, 'cmd /c "a,b"\r\nsecond line'],
      [3, "plain"],
      [5, "last"],
    ]);
    // Batches of at most 2 events leave as they fill.
    expect(batches.every((batch) => batch.length <= 2)).toBe(true);
  });

  it.each([1, 5, 40, 100_000])("gives the same NDJSON result whatever the chunk size (%i)", (chunkSize) => {
    const { summary, batches } = parseInChunks(NDJSON, chunkSize, { maxRecordChars: 200 });
    expect(summary.format).toBe("ndjson");
    expect([summary.accepted, summary.rejected]).toEqual([3, 1]);
    expect(summary.errors.map((e) => e.line)).toEqual([3]);
    expect(batches.flat().map((e) => e.fileName)).toEqual(["bcrypt.dll", "ncrypt.dll", "rsaenh.dll"]);
  });

  it.each([1, 7, 100_000])("refuses a record longer than the limit whatever the chunking, a whole file too (%i)", (chunkSize) => {
    const text = `Timestamp,DeviceName,ActionType\n2024-01-01T10:00:00Z,ws-1,ProcessCreated\n"${"x".repeat(60)}"\n2024-01-01T10:00:00Z,ws-1,ProcessCreated\n`;
    expect(outcome(text, chunkSize, { maxRecordChars: 50 })).toEqual({
      error: { status: 400, message: "A record starting on line 3 is longer than 0 MiB (or a quote is never closed)." },
    });
  });

  it("refuses a CSV with an unclosed quote once it passes the record limit", () => {
    const parser = new TelemetryStreamParser(() => {}, { ...TEST_LIMITS, maxRecordChars: 50 });
    parser.write("Timestamp,DeviceName,ActionType\n");
    expect(() => parser.write(`"${"x".repeat(60)}`)).toThrow(/A record starting on line 2 is longer than/);
  });

  it("refuses a CSV with the wrong columns as soon as its header arrives", () => {
    const parser = new TelemetryStreamParser(() => {});
    expect(() => parser.write("name,age\nbob,3\n")).toThrow(/it has no Timestamp, DeviceName, ActionType columns/);
  });
});

function processRow(id: number, fields: Record<string, unknown> = {}) {
  return { Timestamp: `2024-01-01T10:00:0${id % 10}Z`, DeviceName: "ws-1", ActionType: "ProcessCreated", FileName: `p${id}.exe`, ProcessId: id, ...fields };
}

describe("TelemetryStreamParser batches", () => {
  const LONG_COMMAND_LINES = Array.from({ length: 25 }, (_, id) => processRow(id, { ProcessCommandLine: "x".repeat(100_000) }));
  const NDJSON_TEXT = LONG_COMMAND_LINES.map((row) => JSON.stringify(row)).join("\n");
  const ARRAY_TEXT = JSON.stringify(LONG_COMMAND_LINES);

  it.each([
    { format: "NDJSON", text: NDJSON_TEXT, chunkSize: 65_536 },
    { format: "NDJSON", text: NDJSON_TEXT, chunkSize: NDJSON_TEXT.length },
    { format: "a JSON array", text: ARRAY_TEXT, chunkSize: 65_536 },
    { format: "a JSON array", text: ARRAY_TEXT, chunkSize: ARRAY_TEXT.length },
  ])("leave at the text budget before the count ($format in chunks of $chunkSize)", ({ text, chunkSize }) => {
    // Rows of about 100,130 characters: the tenth passes 1,000,000.
    const { batches } = parseInChunks(text, chunkSize, { batchSize: 5000, maxBatchChars: 1_000_000, maxRecordChars: 4 * 1048576 });
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });
});

describe("TelemetryStreamParser, JSON documents", () => {
  const ROWS = [
    processRow(1),
    processRow(2),
    processRow(3, { FileName: "" }),
    "not a row",
    processRow(4, { ProcessCommandLine: 'say "hi" \\ ✓ \u{1F600}' }),
    { time: "2024-01-01T10:00:09Z", operationName: "Publish", category: "AdvancedHunting-DeviceProcessEvents", properties: processRow(5) },
  ];
  const DOCUMENTS: [string, string][] = [
    [
      "the API's pretty-printed {Schema, Results}",
      JSON.stringify({ Stats: { ExecutionTime: 0.5 }, Schema: [{ Name: "Timestamp", Type: "DateTime" }, { Name: "DeviceName", Type: "String" }], Results: ROWS }, null, 2),
    ],
    ["Graph's one-line {schema, results}", `${JSON.stringify({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults", schema: [{ name: "Timestamp", type: "DateTime" }], results: ROWS })}\n`],
    ["a JSON array", JSON.stringify(ROWS)],
  ];

  it.each(DOCUMENTS)("reads %s row by row, the same whatever the chunking", (_shape, text) => {
    const whole = outcome(text, text.length);
    expect(whole).toMatchObject({
      summary: {
        format: text.startsWith("[") ? "json-array" : "mde-api-json",
        tables: ["DeviceProcessEvents"],
        accepted: 4,
        rejected: 2,
        errors: [
          { line: 3, message: "FileName: required for ProcessCreated rows" },
          { line: 4, message: "row is not a JSON object" },
        ],
      },
    });
    expect(whole.events?.map((event) => [event.fileName, event.processCommandLine])).toEqual([
      ["p1.exe", null],
      ["p2.exe", null],
      ["p4.exe", 'say "hi" \\ ✓ \u{1F600}'],
      ["p5.exe", null],
    ]);
    for (const chunkSize of [1, 7, 4096]) expect(outcome(text, chunkSize)).toEqual(whole);
  });

  it.each(DOCUMENTS)("hands over %s's first batch before the document has all arrived", (_shape, text) => {
    const batches: TelemetryEvent[][] = [];
    const parser = new TelemetryStreamParser((batch) => batches.push(batch), TEST_LIMITS);
    const fourthRow = text.indexOf("p4.exe");
    parser.write(text.slice(0, fourthRow));
    expect(batches.map((batch) => batch.map((event) => event.fileName))).toEqual([["p1.exe", "p2.exe"]]);
    parser.write(text.slice(fourthRow));
    parser.end();
    expect(batches.map((batch) => batch.length)).toEqual([2, 2]);
  });

  it.each([
    ["an array", `${"[".repeat(10_000)}${"]".repeat(10_000)}`],
    ["a row of the API's document", `{"Results": [{"Timestamp": ${"[".repeat(10_000)}${"]".repeat(10_000)}}]}`],
  ])("refuses %s nested 10,000 levels deep with a 400", (_shape, text) => {
    for (const chunkSize of [7, text.length]) {
      expect(outcome(text, chunkSize)).toEqual({
        error: { status: 400, message: "The JSON document nests deeper than 64 levels (after row 0); telemetry rows never do." },
      });
    }
  });

  it.each([1, 7, 100_000])("refuses a row longer than the record limit, and a document without rows past it (chunks of %i)", (chunkSize) => {
    const longRow = JSON.stringify([processRow(1), processRow(2, { ProcessCommandLine: "x".repeat(20_000) })]);
    expect(outcome(longRow, chunkSize)).toEqual({ error: { status: 400, message: "A row or value of the JSON document (after row 1) is longer than 0 MiB." } });
    const rowless = JSON.stringify(Object.fromEntries(Array.from({ length: 2_000 }, (_, index) => [`key${index}`, index])));
    expect(outcome(rowless, chunkSize)).toEqual({
      error: {
        status: 413,
        message: 'The JSON document has no rows (a "Results" or top-level array) in its first 0 MiB, and a document without rows is read whole, up to that size: export CSV or NDJSON instead.',
      },
    });
  });

  it.each([1, 5, 100_000])("reads a '{' file that is not one JSON document as NDJSON (chunks of %i)", (chunkSize) => {
    const text = ["{not json", JSON.stringify(processRow(1)), JSON.stringify(processRow(2))].join("\n");
    expect(outcome(text, chunkSize)).toMatchObject({ summary: { format: "ndjson", accepted: 2, rejected: 1, errors: [{ line: 1 }] } });
  });

  it("reads a pretty-printed single object as one record", () => {
    const text = JSON.stringify({ category: "AdvancedHunting-DeviceProcessEvents", properties: processRow(1) }, null, 2);
    expect(outcome(text, 3)).toMatchObject({ summary: { format: "ndjson", accepted: 1 }, events: [{ fileName: "p1.exe" }] });
  });

  it("refuses a document that breaks off after its rows began", () => {
    const text = JSON.stringify({ Results: [processRow(1), processRow(2)] }).slice(0, -3);
    expect(outcome(text, 5)).toEqual({
      error: { status: 400, message: "The file looks like JSON but cannot be parsed: Parser ended in mid-parsing (state: COMMA). Either not all the data was received or the data was invalid." },
    });
  });
});

describe("TelemetryStreamParser, event XML", () => {
  /** A Sysmon process creation as wevtutil prints it, over six lines. */
  function processEventXml(id: number): string {
    return [
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>",
      "  <System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><TimeCreated SystemTime='2024-03-01T10:00:05.0000000Z'/>",
      "  <Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WS-01</Computer></System>",
      `  <EventData><Data Name='UtcTime'>2024-03-01 10:00:04.${String(id).padStart(3, "0")}</Data><Data Name='ProcessId'>${id}</Data>`,
      `  <Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='CommandLine'>cmd /c echo ${id} &amp;&amp; ${"x".repeat(200)}</Data></EventData>`,
      "</Event>",
    ].join("\r\n");
  }
  const events = Array.from({ length: 30 }, (_, id) => processEventXml(id));
  events[10] = events[10].replace("</EventData>", "");
  events[20] = events[20].replace("<EventID>1</EventID>", "");
  // Event n starts on line 3 + 6n: after the declaration and <Events>.
  const XML = ["\uFEFF<?xml version='1.0' encoding='utf-8'?>", "<Events>", ...events, "</Events>", ""].join("\r\n");

  it.each([1, 7, 64, 4096, XML.length])("reads the same events and lines whatever the chunking (chunks of %i)", (chunkSize) => {
    // Records of at most 2,000 characters: even a whole file is read in several blocks.
    const { summary, events: read } = outcome(XML, chunkSize, { maxRecordChars: 2_000 });
    expect(summary).toEqual({
      format: "event-xml",
      tables: ["Sysmon 1 (process create)"],
      accepted: 28,
      rejected: 2,
      ignored: 0,
      errors: [
        { line: 63, message: "unexpected </Event> inside <EventData>" },
        { line: 123, message: "the event has no System/EventID" },
      ],
    });
    expect(read?.map((event) => event.processId)).toEqual(Array.from({ length: 30 }, (_, id) => id).filter((id) => id !== 10 && id !== 20));
  });
});

describe("TelemetryStreamParser: the hunting query's series CSV", () => {
  const header = "DeviceName,ProcessId,ProcessName,RemoteIP,ConnectionTimes,ConnectionPorts,CryptoLoadTimes,CryptoLibs";
  const times = Array.from({ length: 25 }, (_, index) => `2026-11-20T10:${String(index).padStart(2, "0")}:00Z`);
  const row = ["ws-7", "4242", "updater.exe", "185.225.17.44", JSON.stringify(times), JSON.stringify(times.map(() => 4444)), '["2026-11-20T09:59:00Z"]', '["bcrypt.dll"]']
    .map((cell) => `"${cell.replaceAll('"', '""')}"`)
    .join(",");

  it("hands a long row's events on in batches cut by what each event holds, not by its share of the row's text", () => {
    // 1 load and 25 connections from one row of some 1,000 characters: 1 KiB an event, so batches of 10 under a 10 KiB limit.
    const { summary, batches } = parseInChunks(`${header}\n${row}\n`, 4096, { batchSize: 1000, maxBatchChars: 10 * 1024 });
    expect([summary.format, summary.accepted, summary.rejected]).toEqual(["kusto-series", 26, 0]);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 6]);
  });
});
