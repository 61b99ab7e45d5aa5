import { describe, expect, it } from "vitest";
import { buildTestEvent, type TestEventInput } from "../telemetry/build-test-event";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import { SEED_QUERY_LISTS } from "./detection-lists";
import { runSeedQuery } from "./seed-kql-query";

const AS_OF = "2024-01-01T12:00:00Z";

function load(at: string, overrides: Partial<TestEventInput> = {}) {
  return buildTestEvent("image_load", {
    at,
    fileName: "bcrypt.dll",
    initiatingProcessFileName: "evil.exe",
    initiatingProcessId: 100,
    initiatingProcessCommandLine: "evil.exe -k",
    initiatingProcessAccountName: "alice",
    initiatingProcessSHA256: "aa11",
    ...overrides,
  });
}

function connection(at: string, overrides: Partial<TestEventInput> = {}) {
  return buildTestEvent("network", {
    at,
    initiatingProcessFileName: "evil.exe",
    initiatingProcessId: 100,
    remoteIp: "198.51.100.7",
    remotePort: 4444,
    ...overrides,
  });
}

function run(events: Parameters<typeof runSeedQuery>[0], asOf = AS_OF) {
  return runSeedQuery(events, { asOfUs: parseIsoTimestamp(asOf)!.us, lists: SEED_QUERY_LISTS }).map((f) => f.row);
}

describe("runSeedQuery (KQL-compatible mode)", () => {
  it("counts every (load, connection) pair: two DLLs double the connections and bytes", () => {
    const events = [
      load("2024-01-01T10:00:00Z"),
      load("2024-01-01T10:00:00.5Z", { fileName: "bcryptprimitives.dll" }),
      connection("2024-01-01T10:01:00Z", { sentBytes: 100, receivedBytes: 50 }),
      connection("2024-01-01T10:02:00Z", { sentBytes: 100, receivedBytes: 50 }),
      connection("2024-01-01T10:03:00Z", { sentBytes: 100, receivedBytes: 50 }),
    ];
    expect(run(events)).toEqual([
      {
        DeviceName: "ws-01",
        ProcessName: "evil.exe",
        ProcessCmd: "evil.exe -k",
        AccountName: "alice",
        ProcessSHA256: "aa11",
        CryptoLibsLoaded: ["bcrypt.dll", "bcryptprimitives.dll"],
        RemoteIPs: ["198.51.100.7"],
        RemotePorts: [4444],
        ConnectionCount: 6, // 3 connections x 2 loads
        TotalBytesSent: 600,
        TotalBytesReceived: 300,
        FirstConnection: "2024-01-01T10:01:00.0000000Z",
        LastConnection: "2024-01-01T10:03:00.0000000Z",
        DataTransferMB: 0, // 900 B rounds to 0.00 MB
        DurationMinutes: 2,
        AvgIntervalSeconds: 24, // 120 s / (6 - 1)
        BeaconLikely: false,
      },
    ]);
  });

  it("joins a connection exactly 15 minutes after the load, not one a millisecond later", () => {
    const rows = run([
      load("2024-01-01T10:00:00Z"),
      connection("2024-01-01T10:15:00.000Z"),
      connection("2024-01-01T10:15:00.001Z"),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].ConnectionCount).toBe(1);
    expect(rows[0].LastConnection).toBe("2024-01-01T10:15:00.0000000Z");
    expect(rows[0].AvgIntervalSeconds).toBe(0);
  });

  it("ignores connections before the load", () => {
    expect(run([load("2024-01-01T10:00:00Z"), connection("2024-01-01T09:59:59.999Z")])).toEqual([]);
  });

  it("counts minute boundaries for DurationMinutes (10:05:01 - 10:00:59 is 5)", () => {
    const [row] = run([
      load("2024-01-01T10:00:30Z"),
      connection("2024-01-01T10:00:59Z"),
      connection("2024-01-01T10:05:01Z"),
    ]);
    expect(row.DurationMinutes).toBe(5);
    expect(row.AvgIntervalSeconds).toBe(300);
    // No byte columns in the file: unknown stays unknown.
    expect(row.TotalBytesSent).toBeNull();
    expect(row.TotalBytesReceived).toBeNull();
    expect(row.DataTransferMB).toBeNull();
  });

  it("compares library and process names case-insensitively (in~) and ActionType case-sensitively (==)", () => {
    const rows = run([
      load("2024-01-01T10:00:00Z", { fileName: "BCRYPT.DLL", initiatingProcessFileName: "SVCHOST.EXE", initiatingProcessId: 1 }),
      connection("2024-01-01T10:01:00Z", { initiatingProcessId: 1 }),
      load("2024-01-01T10:00:00Z", { fileName: "Bcrypt.DLL", initiatingProcessId: 2, initiatingProcessFileName: "Chrome.EXE" }),
      connection("2024-01-01T10:01:00Z", { initiatingProcessId: 2 }),
      load("2024-01-01T10:00:00Z", { fileName: "RsaEnh.dll", initiatingProcessId: 3, initiatingProcessFileName: "tool.exe" }),
      connection("2024-01-01T10:01:00Z", { initiatingProcessId: 3 }),
      connection("2024-01-01T10:02:00Z", { initiatingProcessId: 3, actionType: "connectionsuccess" }),
      connection("2024-01-01T10:03:00Z", { initiatingProcessId: 3, remoteIpType: "public" }),
    ]);
    expect(rows.map((r) => [r.ProcessName, r.CryptoLibsLoaded, r.ConnectionCount])).toEqual([["tool.exe", ["RsaEnh.dll"], 1]]);
  });

  it("drops standard ports, non-public addresses, other devices and other PIDs", () => {
    expect(
      run([
        load("2024-01-01T10:00:00Z"),
        connection("2024-01-01T10:01:00Z", { remotePort: 443 }),
        connection("2024-01-01T10:02:00Z", { remoteIpType: "Private" }),
        connection("2024-01-01T10:03:00Z", { deviceName: "ws-02" }),
        connection("2024-01-01T10:04:00Z", { initiatingProcessId: 101 }),
      ]),
    ).toEqual([]);
  });

  it("looks back 24 hours from the as-of time, excluding the exact boundary (Timestamp > ago(24h))", () => {
    const events = [
      load("2023-12-31T12:00:00Z", { initiatingProcessId: 1, initiatingProcessFileName: "old.exe" }),
      connection("2023-12-31T12:01:00Z", { initiatingProcessId: 1 }),
      load("2023-12-31T12:00:00.001Z", { initiatingProcessId: 2, initiatingProcessFileName: "new.exe" }),
      connection("2023-12-31T12:01:00Z", { initiatingProcessId: 2 }),
    ];
    expect(run(events).map((r) => r.ProcessName)).toEqual(["new.exe"]);
    // A day later, both fall out of the lookback.
    expect(run(events, "2024-01-02T12:00:00Z")).toEqual([]);
  });

  it("sorts by ConnectionCount descending", () => {
    const rows = run([
      load("2024-01-01T10:00:00Z", { initiatingProcessId: 1, initiatingProcessFileName: "a.exe" }),
      connection("2024-01-01T10:01:00Z", { initiatingProcessId: 1 }),
      load("2024-01-01T10:00:00Z", { initiatingProcessId: 2, initiatingProcessFileName: "b.exe" }),
      connection("2024-01-01T10:01:00Z", { initiatingProcessId: 2 }),
      connection("2024-01-01T10:02:00Z", { initiatingProcessId: 2 }),
      connection("2024-01-01T10:03:00Z", { initiatingProcessId: 2 }),
    ]);
    expect(rows.map((r) => [r.ProcessName, r.ConnectionCount])).toEqual([
      ["b.exe", 3],
      ["a.exe", 1],
    ]);
  });

  it("flags BeaconLikely at an average of exactly 30 s with 5 connections (between is inclusive)", () => {
    const [row] = run([
      load("2024-01-01T10:00:00Z"),
      connection("2024-01-01T10:00:10Z"),
      connection("2024-01-01T10:00:40Z"),
      connection("2024-01-01T10:01:10Z"),
      connection("2024-01-01T10:01:40Z"),
      connection("2024-01-01T10:02:10Z"),
    ]);
    expect([row.ConnectionCount, row.DurationMinutes, row.AvgIntervalSeconds, row.BeaconLikely]).toEqual([5, 2, 30, true]);
  });

  it("does not flag BeaconLikely with only 4 connections", () => {
    const [row] = run([
      load("2024-01-01T10:00:00Z"),
      connection("2024-01-01T10:01:00Z"),
      connection("2024-01-01T10:02:00Z"),
      connection("2024-01-01T10:03:00Z"),
      connection("2024-01-01T10:04:00Z"),
    ]);
    expect([row.ConnectionCount, row.AvgIntervalSeconds, row.BeaconLikely]).toEqual([4, 60, false]);
  });

  it("reports a connection once in the evidence with the number of pairs it joined", () => {
    const [finding] = runSeedQuery(
      [load("2024-01-01T10:00:00Z"), load("2024-01-01T10:05:00Z", { fileName: "ncrypt.dll" }), connection("2024-01-01T10:06:00Z")],
      { asOfUs: parseIsoTimestamp(AS_OF)!.us, lists: SEED_QUERY_LISTS },
    );
    expect(finding.row.ConnectionCount).toBe(2);
    expect(finding.connections.map((c) => [c.timestamp, c.joinedPairs])).toEqual([["2024-01-01T10:06:00.0000000Z", 2]]);
    expect(finding.loads.map((l) => l.cryptoLib)).toEqual(["bcrypt.dll", "ncrypt.dll"]);
  });
});
