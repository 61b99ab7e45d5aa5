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

  it("compares 100 ns ticks, as Kusto's datetime does, not microseconds", () => {
    // One tick past the window, and one tick before the load: inside the same microsecond, outside for Kusto.
    expect(run([load("2024-01-01T10:00:00.0000000Z"), connection("2024-01-01T10:15:00.0000001Z")])).toEqual([]);
    expect(run([load("2024-01-01T10:00:00.0000005Z"), connection("2024-01-01T10:00:00.0000001Z")])).toEqual([]);
    // Of two connections in one microsecond, the first and last are told apart by their ticks, whatever the input order.
    const [row] = run([load("2024-01-01T10:00:00Z"), connection("2024-01-01T10:01:00.0000009Z"), connection("2024-01-01T10:01:00.0000002Z")]);
    expect([row.FirstConnection, row.LastConnection]).toEqual(["2024-01-01T10:01:00.0000002Z", "2024-01-01T10:01:00.0000009Z"]);
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

  it("sees nothing after the as-of time, as Kusto run at that instant could not", () => {
    const events = [load("2024-01-01T11:59:00Z"), connection("2024-01-01T11:59:30Z"), connection("2024-01-01T12:00:00.001Z"), load("2024-01-01T12:00:01Z", { initiatingProcessId: 2 }), connection("2024-01-01T12:00:02Z", { initiatingProcessId: 2 })];
    expect(run(events).map((row) => [row.ProcessName, row.ConnectionCount])).toEqual([["evil.exe", 1]]);
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

function runFindings(events: Parameters<typeof runSeedQuery>[0]) {
  return runSeedQuery(events, { asOfUs: parseIsoTimestamp(AS_OF)!.us, lists: SEED_QUERY_LISTS });
}

/** 2024-01-01T10:00:00Z plus a number of milliseconds, as ISO text. */
function tenOClockPlus(milliseconds: number): string {
  return new Date(Date.UTC(2024, 0, 1, 10) + milliseconds).toISOString();
}

describe("runSeedQuery join: summarized as it joins, no pair built", () => {
  it("summarizes 3,000 loads and 3,000 connections at the same instants: n(n+1)/2 = 4,501,500 pairs", () => {
    // Load i and connection i both at 10:00:00 + i x 300 ms; the last at 10:14:59.7, so every
    // load's window reaches every later connection: connection i pairs with loads 0..i.
    const n = 3000;
    const events = [];
    for (let i = 0; i < n; i++) {
      const at = tenOClockPlus(i * 300);
      events.push(load(at));
      events.push(
        connection(at, {
          remoteIp: i % 2 === 0 ? "198.51.100.7" : "203.0.113.9",
          remotePort: i === n - 1 ? 5555 : 4444,
          sentBytes: 100,
          receivedBytes: i === n - 1 ? 1000 : null,
        }),
      );
    }
    const [finding, ...others] = runFindings(events);
    expect(others).toEqual([]);
    expect(finding.row).toEqual({
      DeviceName: "ws-01",
      ProcessName: "evil.exe",
      ProcessCmd: "evil.exe -k",
      AccountName: "alice",
      ProcessSHA256: "aa11",
      CryptoLibsLoaded: ["bcrypt.dll"],
      RemoteIPs: ["198.51.100.7", "203.0.113.9"],
      RemotePorts: [4444, 5555],
      ConnectionCount: 4_501_500, // 3,000 x 3,001 / 2
      TotalBytesSent: 450_150_000, // 100 B x 4,501,500 pairs
      TotalBytesReceived: 3_000_000, // only the last connection knows it: 1,000 B x its 3,000 loads
      FirstConnection: "2024-01-01T10:00:00.0000000Z",
      LastConnection: "2024-01-01T10:14:59.7000000Z",
      DataTransferMB: 432.16, // 453,150,000 B / 1,048,576 = 432.1575...
      DurationMinutes: 14,
      AvgIntervalSeconds: 840 / 4_501_499, // 14 min x 60 s / (4,501,500 - 1)
      BeaconLikely: false,
    });
    expect(finding.loads).toHaveLength(3000);
    expect(finding.connections).toHaveLength(3000);
    expect([finding.connections[0].joinedPairs, finding.connections[1499].joinedPairs, finding.connections[2999].joinedPairs]).toEqual([
      1, 1500, 3000,
    ]);
    // No time limit of its own: building the 4.5 million pairs took 6 s and more than a 192 MiB heap, well past the default 5 s.
  });

  it("counts per connection the loads of its own group covering it when two groups share a PID", () => {
    // PID 100 is one process to the join but two groups to summarize: the command lines differ.
    // "--sync" loads bcrypt.dll every minute 10:00..10:59 (60 loads), "--update" loads ncrypt.dll
    // every 10 minutes 10:00..10:50 (6 loads); the process connects every 30 s 10:00:00..10:59:30.
    const sync = { initiatingProcessCommandLine: "agent.exe --sync" };
    const update = { initiatingProcessCommandLine: "agent.exe --update", fileName: "ncrypt.dll" };
    const events = [];
    for (let minute = 0; minute < 60; minute++) events.push(load(tenOClockPlus(minute * 60_000), sync));
    for (let minute = 0; minute < 60; minute += 10) events.push(load(tenOClockPlus(minute * 60_000), update));
    for (let k = 0; k < 120; k++) {
      events.push(
        connection(tenOClockPlus(k * 30_000), {
          remoteIp: k % 2 === 0 ? "198.51.100.7" : "203.0.113.9",
          sentBytes: 100,
          receivedBytes: 2,
        }),
      );
    }
    const findings = runFindings(events);
    const shared = {
      DeviceName: "ws-01",
      ProcessName: "evil.exe",
      AccountName: "alice",
      ProcessSHA256: "aa11",
      RemoteIPs: ["198.51.100.7", "203.0.113.9"],
      RemotePorts: [4444],
      FirstConnection: "2024-01-01T10:00:00.0000000Z",
      LastConnection: "2024-01-01T10:59:30.0000000Z",
      DurationMinutes: 59,
      BeaconLikely: false,
    };
    expect(findings.map((finding) => finding.row)).toEqual([
      {
        ...shared,
        ProcessCmd: "agent.exe --sync",
        CryptoLibsLoaded: ["bcrypt.dll"],
        // The load at minute m covers connections 2m..min(2m + 30, 119): 31 each for m = 0..44,
        // then 30, 28, ..., 2 for m = 45..59: 45 x 31 + 240.
        ConnectionCount: 1635,
        TotalBytesSent: 163_500,
        TotalBytesReceived: 3270,
        DataTransferMB: 0.16, // 166,770 B / 1,048,576 = 0.159
        AvgIntervalSeconds: 3540 / 1634, // 59 min x 60 s / (1,635 - 1)
      },
      {
        ...shared,
        ProcessCmd: "agent.exe --update",
        CryptoLibsLoaded: ["ncrypt.dll"],
        // 31 connections for each load 10:00..10:40, 20 for 10:50 (10:50:00..10:59:30): 5 x 31 + 20.
        ConnectionCount: 175,
        TotalBytesSent: 17_500,
        TotalBytesReceived: 350,
        DataTransferMB: 0.02, // 17,850 B / 1,048,576 = 0.017
        AvgIntervalSeconds: 3540 / 174,
      },
    ]);
    const [syncFinding, updateFinding] = findings;
    const pairsAt = (finding: (typeof findings)[number], time: string) =>
      finding.connections.find((c) => c.timestamp === `2024-01-01T${time}.0000000Z`)?.joinedPairs;
    expect([syncFinding.loads.length, syncFinding.connections.length, updateFinding.loads.length, updateFinding.connections.length]).toEqual([
      60, 120, 6, 120,
    ]);
    // 10:07:30 by 10:00..10:07 (8); 10:30:00 by 10:15..10:30, 10:15 at its window's end (16); 10:59:30 by 10:45..10:59 (15).
    expect(["10:07:30", "10:30:00", "10:59:30"].map((time) => pairsAt(syncFinding, time))).toEqual([8, 16, 15]);
    // 10:15:00 by 10:00 (window end) and 10:10 (2); 10:15:30 by 10:10 only (1); 10:59:30 by 10:50 (1).
    expect(["10:15:00", "10:15:30", "10:59:30"].map((time) => pairsAt(updateFinding, time))).toEqual([2, 1, 1]);
  });

  it("reports joinedPairs per connection and only the loads and connections that joined", () => {
    const [finding, ...others] = runFindings([
      load("2024-01-01T09:00:00Z", { fileName: "cryptsp.dll" }), // window ends 09:15: no pair
      load("2024-01-01T10:00:00Z"),
      load("2024-01-01T10:00:00Z", { fileName: "rsaenh.dll", initiatingProcessId: 200 }), // same group, other PID
      load("2024-01-01T10:05:00Z", { fileName: "ncrypt.dll" }),
      load("2024-01-01T10:20:00Z"),
      connection("2024-01-01T09:59:00Z"), // after 09:15, before 10:00: no pair
      connection("2024-01-01T10:01:00Z", { initiatingProcessId: 200 }), // 10:00 (PID 200)
      connection("2024-01-01T10:04:00Z"), // 10:00
      connection("2024-01-01T10:15:00Z"), // 10:00 (window end) and 10:05
      connection("2024-01-01T10:20:00Z"), // 10:05 (window end) and 10:20 (window start)
      connection("2024-01-01T10:21:00Z"), // 10:20
      connection("2024-01-01T10:36:00Z"), // after 10:35: no pair
    ]);
    expect(others).toEqual([]);
    expect(finding.row.ConnectionCount).toBe(7); // 1 + 1 + 2 + 2 + 1
    expect(finding.row.CryptoLibsLoaded).toEqual(["bcrypt.dll", "rsaenh.dll", "ncrypt.dll"]);
    expect(finding.loads.map((l) => [l.timestamp.slice(11, 16), l.processId, l.cryptoLib])).toEqual([
      ["10:00", 100, "bcrypt.dll"],
      ["10:00", 200, "rsaenh.dll"],
      ["10:05", 100, "ncrypt.dll"],
      ["10:20", 100, "bcrypt.dll"],
    ]);
    expect(finding.connections.map((c) => [c.timestamp.slice(11, 16), c.processId, c.joinedPairs])).toEqual([
      ["10:01", 200, 1],
      ["10:04", 100, 1],
      ["10:15", 100, 2],
      ["10:20", 100, 2],
      ["10:21", 100, 1],
    ]);
  });

  it("orders equal-time connections as the join emits pairs, load by load, not as the input lists them", () => {
    // Pairs come out load by load: 09:00 (PID 1) -> .1; 10:00 (PID 2) -> .4; 10:00 (PID 1) -> .3.
    // So .4 comes before .3 at the same instant, though the input has .3 first.
    const [finding] = runFindings([
      load("2024-01-01T09:00:00Z", { initiatingProcessId: 1 }),
      connection("2024-01-01T09:01:00Z", { initiatingProcessId: 1, remoteIp: "192.0.2.1" }),
      load("2024-01-01T10:00:00Z", { initiatingProcessId: 2 }),
      load("2024-01-01T10:00:00Z", { initiatingProcessId: 1 }),
      connection("2024-01-01T10:05:00.0000002Z", { initiatingProcessId: 1, remoteIp: "192.0.2.3" }),
      connection("2024-01-01T10:05:00.0000002Z", { initiatingProcessId: 2, remoteIp: "192.0.2.4" }),
    ]);
    expect(finding.row.RemoteIPs).toEqual(["192.0.2.1", "192.0.2.4", "192.0.2.3"]);
    expect(finding.connections.map((c) => c.remoteIp)).toEqual(["192.0.2.1", "192.0.2.4", "192.0.2.3"]);
    expect(finding.row.LastConnection).toBe("2024-01-01T10:05:00.0000002Z");
    // One tick apart they are in time order, whatever the pair order (100 ns ticks, as Kusto compares).
    const [ticked] = runFindings([
      load("2024-01-01T10:00:00Z", { initiatingProcessId: 2 }),
      load("2024-01-01T10:00:00Z", { initiatingProcessId: 1 }),
      connection("2024-01-01T10:05:00.0000001Z", { initiatingProcessId: 1, remoteIp: "192.0.2.3" }),
      connection("2024-01-01T10:05:00.0000002Z", { initiatingProcessId: 2, remoteIp: "192.0.2.4" }),
    ]);
    expect([ticked.row.RemoteIPs, ticked.connections.map((c) => c.remoteIp), ticked.row.LastConnection]).toEqual([
      ["192.0.2.4", "192.0.2.3"],
      ["192.0.2.3", "192.0.2.4"],
      "2024-01-01T10:05:00.0000002Z",
    ]);
  });
});
