import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { TelemetryStreamParser } from "./telemetry-stream-parser";
import { TelemetryFileError } from "./telemetry-file-error";

function parseInChunks(text: string, chunkSize: number, batchSize = 2) {
  const batches: TelemetryEvent[][] = [];
  const parser = new TelemetryStreamParser((batch) => batches.push(batch), { batchSize, maxRecordChars: 10_000, maxDocumentChars: 100_000 });
  for (let start = 0; start < text.length; start += chunkSize) parser.write(text.slice(start, start + chunkSize));
  return { summary: parser.end(), batches };
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
    const { summary, batches } = parseInChunks(CSV, chunkSize);
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
    const { summary, batches } = parseInChunks(NDJSON, chunkSize);
    expect(summary.format).toBe("ndjson");
    expect([summary.accepted, summary.rejected]).toEqual([3, 1]);
    expect(summary.errors.map((e) => e.line)).toEqual([3]);
    expect(batches.flat().map((e) => e.fileName)).toEqual(["bcrypt.dll", "ncrypt.dll", "rsaenh.dll"]);
  });

  it("collects a whole JSON document and parses it at the end", () => {
    const document = JSON.stringify(
      { Schema: [{ Name: "Timestamp" }, { Name: "DeviceName" }, { Name: "ActionType" }], Results: [{ Timestamp: "2024-01-01T10:00:00Z", DeviceName: "d", ActionType: "ProcessCreated", FileName: "a.exe", ProcessId: 1 }] },
      null,
      2,
    );
    expect(parseInChunks(document, 9).summary).toMatchObject({ format: "mde-api-json", accepted: 1 });
  });

  it("refuses a record longer than the limit, and a document larger than the limit", () => {
    const parser = new TelemetryStreamParser(() => {}, { batchSize: 10, maxRecordChars: 50, maxDocumentChars: 80 });
    parser.write("Timestamp,DeviceName,ActionType\n");
    expect(() => parser.write(`"${"x".repeat(60)}`)).toThrow(/A record starting on line 2 is longer than/);
    const documentParser = new TelemetryStreamParser(() => {}, { batchSize: 10, maxRecordChars: 50, maxDocumentChars: 80 });
    expect(() => documentParser.write(`[${" ".repeat(100)}]`)).toThrow(TelemetryFileError);
  });

  it("refuses a CSV with the wrong columns as soon as its header arrives", () => {
    const parser = new TelemetryStreamParser(() => {});
    expect(() => parser.write("name,age\nbob,3\n")).toThrow(/it has no Timestamp, DeviceName, ActionType columns/);
  });
});
