import { describe, expect, it } from "vitest";
import { SERIES_BYTES_COLUMN, SERIES_COLUMNS } from "../export/tuned-kql";
import { UNKNOWN_EVENT_FIELDS } from "../telemetry/telemetry-event";
import { isKustoSeriesHeader, seriesRowEvents } from "./kusto-series";

/** The outcome with its events taken: they are made as they are read. */
function taken(record: Record<string, string>) {
  const outcome = seriesRowEvents(record);
  return outcome.outcome === "events" ? { outcome: outcome.outcome, count: outcome.count, events: [...outcome.events] } : outcome;
}

/** One row as Kusto writes it to CSV: dynamic columns as JSON arrays, datetimes with 7 digits. */
const ROW: Record<string, string> = {
  DeviceName: "ws-7",
  DeviceId: "d7",
  ProcessId: "4242",
  ProcessCreationTime: "2026-11-20T09:59:00.1234567Z",
  ProcessName: "updater.exe",
  ProcessFolder: "C:\\Users\\bob\\AppData\\Local\\Temp\\updater.exe",
  ProcessCmd: "updater.exe -q ",
  AccountName: "bob",
  ProcessSHA256: "ab".repeat(32),
  RemoteIP: "185.225.17.44",
  RemoteUrls: '["c2.example.net"]',
  ConnectionCount: "3",
  FirstConnection: "2026-11-20T10:00:00.0000000Z",
  LastConnection: "2026-11-20T10:02:00.5000000Z",
  ConnectionTimes: '["2026-11-20T10:00:00.0000000Z","2026-11-20T10:01:00.0000000Z","2026-11-20T10:02:00.5000000Z"]',
  ConnectionPorts: "[4444,4444,4445]",
  ConnectionUrls: '["c2.example.net","",""]',
  CryptoLoadTimes: '["2026-11-20T09:59:30.0000000Z"]',
  CryptoLibs: '["bcrypt.dll"]',
};

const PROCESS = {
  ...UNKNOWN_EVENT_FIELDS,
  deviceId: "d7",
  deviceName: "ws-7",
  initiatingProcessFileName: "updater.exe",
  initiatingProcessFolderPath: "C:\\Users\\bob\\AppData\\Local\\Temp\\updater.exe",
  initiatingProcessId: 4242,
  initiatingProcessCommandLine: "updater.exe -q ",
  initiatingProcessCreationTime: "2026-11-20T09:59:00.1234567Z",
  initiatingProcessAccountName: "bob",
  initiatingProcessSHA256: "ab".repeat(32),
  source: "mde",
};
const at = (hour: number, minute: number, second: number, ms = 0) => (Date.UTC(2026, 10, 20, hour, minute, second) + ms) * 1000;
const connection = (timestamp: string, timeUs: number, remotePort: number, remoteUrl: string | null) => ({
  ...PROCESS,
  kind: "network",
  actionType: "ConnectionSuccess",
  timestamp,
  timeUs,
  remoteIp: "185.225.17.44",
  remotePort,
  remoteIpType: "Public",
  remoteUrl,
  sentBytes: null,
  receivedBytes: null,
});

describe("isKustoSeriesHeader", () => {
  it("knows the hunting query's columns, with or without the optional ones, and never a Defender table's", () => {
    expect(isKustoSeriesHeader([...SERIES_COLUMNS])).toBe(true);
    expect(isKustoSeriesHeader([...SERIES_COLUMNS, SERIES_BYTES_COLUMN])).toBe(true);
    expect(isKustoSeriesHeader(["DeviceName", "ProcessId", "ProcessName", "RemoteIP", "ConnectionTimes", "ConnectionPorts", "CryptoLoadTimes", "CryptoLibs"])).toBe(true);
    expect(isKustoSeriesHeader(SERIES_COLUMNS.filter((column) => column !== "CryptoLibs"))).toBe(false);
    expect(isKustoSeriesHeader([...SERIES_COLUMNS, "ActionType"])).toBe(false);
  });
});

describe("seriesRowEvents", () => {
  it("gives one image load per crypto load and one connection per time, with the process's columns", () => {
    expect(taken(ROW)).toEqual({
      outcome: "events",
      count: 4,
      events: [
        { ...PROCESS, kind: "image_load", actionType: "ImageLoaded", timestamp: "2026-11-20T09:59:30.0000000Z", timeUs: at(9, 59, 30), fileName: "bcrypt.dll" },
        connection("2026-11-20T10:00:00.0000000Z", at(10, 0, 0), 4444, "c2.example.net"),
        connection("2026-11-20T10:01:00.0000000Z", at(10, 1, 0), 4444, null),
        connection("2026-11-20T10:02:00.5000000Z", at(10, 2, 0, 500), 4445, null),
      ],
    });
  });

  it("reads the byte pairs beside the times when the export has them, and leaves what is missing unknown", () => {
    const outcome = taken({ ...ROW, ConnectionUrls: "", [SERIES_BYTES_COLUMN]: "[[100,2000],[null,5],[0,0]]", DeviceId: "", ProcessCreationTime: "" });
    expect(outcome.outcome).toBe("events");
    const events = outcome.outcome === "events" ? outcome.events : [];
    expect(events.map((event) => [event.kind, event.sentBytes, event.receivedBytes, event.remoteUrl, event.deviceId, event.initiatingProcessCreationTime])).toEqual([
      ["image_load", null, null, null, null, null],
      ["network", 100, 2000, null, null, null],
      ["network", null, 5, null, null, null],
      ["network", 0, 0, null, null, null],
    ]);
  });

  it("refuses a row whose columns do not hold together, naming the column", () => {
    const rejected = (change: Record<string, string>) => seriesRowEvents({ ...ROW, ...change });
    expect(rejected({ ConnectionTimes: "2026-11-20T10:00:00Z" })).toEqual({
      outcome: "rejected",
      message: 'ConnectionTimes: expected a JSON array, as Kusto writes a dynamic column (got "2026-11-20T10:00:00Z")',
    });
    expect(rejected({ ConnectionPorts: "[4444,4444]" })).toEqual({ outcome: "rejected", message: "ConnectionPorts: holds 2 values but ConnectionTimes holds 3" });
    expect(rejected({ ConnectionCount: "4" })).toEqual({ outcome: "rejected", message: "ConnectionCount: says 4 but ConnectionTimes holds 3" });
    expect(rejected({ CryptoLoadTimes: '["20 Nov 2026"]' })).toEqual({ outcome: "rejected", message: 'CryptoLoadTimes[0]: expected an ISO 8601 time (got "20 Nov 2026")' });
    expect(rejected({ ConnectionPorts: "[4444,70000,1]" })).toEqual({ outcome: "rejected", message: 'ConnectionPorts[1]: expected a whole number from 0 to 65535 (got "70000")' });
    expect(rejected({ ProcessId: "-1" })).toEqual({ outcome: "rejected", message: 'ProcessId: expected a whole number from 0 to 4294967296 (got "-1")' });
    expect(rejected({ DeviceName: "  " })).toEqual({ outcome: "rejected", message: "DeviceName: is required" });
    expect(rejected({ ConnectionTimes: "[]", ConnectionPorts: "[]", ConnectionUrls: "[]", ConnectionCount: "0" })).toEqual({ outcome: "rejected", message: "ConnectionTimes: holds no connection" });
    expect(rejected({ CryptoLibs: '["bcrypt.dll",""]', CryptoLoadTimes: '["2026-11-20T09:59:30Z","2026-11-20T09:59:31Z"]' })).toEqual({ outcome: "rejected", message: "CryptoLibs[1]: is empty" });
  });
});
