import { describe, expect, it } from "vitest";
import { normalizeMdeRow } from "./normalize-mde-row";

const LOAD = { Timestamp: "2024-01-01T10:00:00.5Z", DeviceId: "d1", DeviceName: " ws-01 ", ActionType: "ImageLoaded", FileName: "bcrypt.dll", InitiatingProcessId: "100" };

describe("normalizeMdeRow", () => {
  it("maps a row to the event model, trimming the required text and reading numbers from text", () => {
    const row = normalizeMdeRow({ ...LOAD, InitiatingProcessFileName: "evil.exe", RemotePort: "", SentBytes: " 12 " });
    expect(row.outcome).toBe("event");
    if (row.outcome !== "event") return;
    expect(row.event).toMatchObject({
      kind: "image_load",
      timestamp: "2024-01-01T10:00:00.5000000Z",
      timeUs: Date.UTC(2024, 0, 1, 10) * 1000 + 500000,
      deviceId: "d1",
      deviceName: "ws-01",
      fileName: "bcrypt.dll",
      initiatingProcessId: 100,
      initiatingProcessFileName: "evil.exe",
      remotePort: null,
      sentBytes: 12,
      folderPath: null,
      source: "mde",
    });
  });

  it("treats blank cells, whitespace-only numbers and JSON nulls as unknown, and keeps JSON objects as their text", () => {
    const row = normalizeMdeRow({ ...LOAD, InitiatingProcessParentId: "   ", ReceivedBytes: null, AdditionalFields: 1, RemoteUrl: { a: 1 } });
    expect(row.outcome === "event" && [row.event.initiatingProcessParentId, row.event.receivedBytes, row.event.remoteUrl]).toEqual([null, null, '{"a":1}']);
  });

  it("lists every problem of a row in column order, with the value it got", () => {
    const row = normalizeMdeRow({ Timestamp: "2024-02-30T00:00:00Z", DeviceName: "", ActionType: "ConnectionSuccess", RemotePort: "70000", LocalPort: "-1.5", InitiatingProcessId: "abc" });
    expect(row).toEqual({
      outcome: "rejected",
      message:
        'Timestamp: expected an ISO 8601 timestamp (got "2024-02-30T00:00:00Z"); DeviceName: is required; RemotePort: must be at most 65535 (got "70000"); ' +
        'LocalPort: expected a whole number (got "-1.5"); LocalPort: must not be negative (got "-1.5"); InitiatingProcessId: expected a number (got "abc")',
    });
  });

  it("refuses negative whole numbers and numbers past a column's bound", () => {
    expect(normalizeMdeRow({ ...LOAD, InitiatingProcessId: "-1" })).toEqual({ outcome: "rejected", message: 'InitiatingProcessId: must not be negative (got "-1")' });
    expect(normalizeMdeRow({ ...LOAD, InitiatingProcessId: String(2 ** 32 + 1) })).toEqual({
      outcome: "rejected",
      message: `InitiatingProcessId: must be at most ${2 ** 32} (got "${2 ** 32 + 1}")`,
    });
    expect(normalizeMdeRow({ ...LOAD, InitiatingProcessId: String(2 ** 32) }).outcome).toBe("event");
  });

  it("names the columns a table needs that are missing", () => {
    expect(normalizeMdeRow({ ...LOAD, FileName: "", InitiatingProcessId: "" })).toEqual({ outcome: "rejected", message: "FileName, InitiatingProcessId: required for ImageLoaded rows" });
    expect(normalizeMdeRow({ ...LOAD, ActionType: "ProcessCreated" })).toEqual({ outcome: "rejected", message: "ProcessId: required for ProcessCreated rows" });
    expect(normalizeMdeRow({ ...LOAD, ActionType: "ConnectionSuccess", FileName: "", InitiatingProcessId: "" })).toEqual({
      outcome: "rejected",
      message: "InitiatingProcessId: required for ConnectionSuccess rows",
    });
  });

  it("ignores rows of tables it does not analyse, even malformed ones, and requires an ActionType", () => {
    expect(normalizeMdeRow({ Timestamp: "garbage", ActionType: "RegistryValueSet" })).toEqual({ outcome: "ignored" });
    expect(normalizeMdeRow({ ...LOAD, ActionType: "  " })).toEqual({ outcome: "rejected", message: 'ActionType: is required (got "  ")' });
  });
});
