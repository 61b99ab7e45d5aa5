import { describe, expect, it } from "vitest";
import { buildTestEvent, type TestEventInput } from "../telemetry/build-test-event";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { isStrongBeacon, runDefaultDetection } from "./default-detection";
import { SEED_QUERY_LISTS } from "./detection-lists";
import { DEFAULT_DETECTION_SETTINGS, type DetectionSettings } from "./detection-settings";
import { explainModeDifference } from "./explain-mode-difference";
import { runSeedQuery } from "./seed-kql-query";

const AS_OF = "2024-01-02T00:00:00Z";
const CREATED = "2024-01-01T09:59:00Z";

function load(at: string, overrides: Partial<TestEventInput> = {}) {
  return buildTestEvent("image_load", {
    at,
    fileName: "bcrypt.dll",
    initiatingProcessFileName: "evil.exe",
    initiatingProcessId: 100,
    initiatingProcessCreationTime: CREATED,
    initiatingProcessCommandLine: "evil.exe",
    ...overrides,
  });
}

function connection(at: string, overrides: Partial<TestEventInput> = {}) {
  return buildTestEvent("network", {
    at,
    initiatingProcessFileName: "evil.exe",
    initiatingProcessId: 100,
    initiatingProcessCreationTime: CREATED,
    initiatingProcessCommandLine: "evil.exe",
    remoteIp: "198.51.100.7",
    remotePort: 4444,
    ...overrides,
  });
}

/** `count` connections every `periodSeconds` from `startIso`. */
function beacon(startIso: string, count: number, periodSeconds: number, overrides: Partial<TestEventInput> = {}): TelemetryEvent[] {
  const startMs = Date.parse(startIso);
  return Array.from({ length: count }, (_, i) => connection(new Date(startMs + i * periodSeconds * 1000).toISOString(), overrides));
}

function detect(events: TelemetryEvent[], settings: Partial<DetectionSettings> = {}) {
  return runDefaultDetection(events, {
    asOfUs: parseIsoTimestamp(AS_OF)!.us,
    lists: SEED_QUERY_LISTS,
    settings: { ...DEFAULT_DETECTION_SETTINGS, ...settings },
  });
}

function seed(events: TelemetryEvent[]) {
  return runSeedQuery(events, { asOfUs: parseIsoTimestamp(AS_OF)!.us, lists: SEED_QUERY_LISTS }).map((f) => f.row);
}

describe("runDefaultDetection: the seed's flaws, fixed", () => {
  it("counts each connection once when two crypto DLLs were loaded (the seed counts it twice)", () => {
    // A 60 s beacon, 14 connections from 10:01 to 10:14, after bcrypt + bcryptprimitives at 10:00.
    const events = [load("2024-01-01T10:00:00Z"), load("2024-01-01T10:00:00.5Z", { fileName: "bcryptprimitives.dll" }), ...beacon("2024-01-01T10:01:00Z", 14, 60)];
    const [seedRow] = seed(events);
    // Seed: 28 pairs over 13 whole minutes: 780 / 27 = 28.89 s, under the 30 s floor.
    expect([seedRow.ConnectionCount, seedRow.DurationMinutes, seedRow.BeaconLikely]).toEqual([28, 13, false]);
    expect(seedRow.AvgIntervalSeconds).toBe(780 / 27);

    const [finding] = detect(events);
    expect(finding.rules).toContain("crypto-load-then-connect");
    expect(finding.connections.count).toBe(14);
    expect(finding.connections.inSeedWindow).toBe(14);
    expect(finding.cryptoLibsLoaded).toEqual(["bcrypt.dll", "bcryptprimitives.dll"]);
    // Real timestamps: 13 intervals of exactly 60 s.
    expect(finding.beacon?.medianIntervalSeconds).toBe(60);
    expect(finding.beacon?.timestampScore).toBe(1);
    expect(explainModeDifference(finding, seedRow, DEFAULT_DETECTION_SETTINGS)).toMatch(
      /^The seed query counts 28 connections because 2 crypto DLLs were loaded; there were 14\./,
    );
  });

  it("keeps processes apart when Windows reuses a PID (device + PID + creation time)", () => {
    // PID 100 loads bcrypt.dll and exits; a later, different process gets PID 100 and connects out.
    const events = [
      load("2024-01-01T10:00:00Z", { initiatingProcessCreationTime: "2024-01-01T09:59:00Z" }),
      connection("2024-01-01T10:05:00Z", { initiatingProcessCreationTime: "2024-01-01T10:04:00Z" }),
    ];
    // The seed joins on device + PID only and blames the first process.
    expect(seed(events).map((row) => row.ConnectionCount)).toEqual([1]);
    expect(detect(events)).toEqual([]);
  });

  it("scores a beacon slower than the 15-minute window over the whole lookback", () => {
    // Every 25 minutes for 12 hours: 29 connections; only the first falls within 15 min of the load.
    const events = [load("2024-01-01T10:00:00Z"), ...beacon("2024-01-01T10:10:00Z", 29, 1500)];
    const [seedRow] = seed(events);
    expect([seedRow.ConnectionCount, seedRow.AvgIntervalSeconds, seedRow.BeaconLikely]).toEqual([1, 0, false]);

    const [finding] = detect(events);
    expect(finding.connections.count).toBe(29);
    expect(finding.connections.inSeedWindow).toBe(1);
    expect(finding.beacon?.medianIntervalSeconds).toBe(1500);
    expect(finding.beacon?.timestampScore).toBe(1);
    expect(finding.beacon?.connections).toBe(29);
  });

  it("uses real timestamps: a 20 s beacon is 20 s, not whole minutes", () => {
    const events = [load("2024-01-01T10:00:00Z"), ...beacon("2024-01-01T10:00:10Z", 10, 20)];
    const [finding] = detect(events);
    expect(finding.beacon?.medianIntervalSeconds).toBe(20);
  });
});

describe("runDefaultDetection: coverage beyond the seed", () => {
  it("fires the beacon-only rule on a strong beacon with no DLL load on port 443 (Atomic test 3)", () => {
    const python = { initiatingProcessFileName: "python.exe", initiatingProcessId: 300, remotePort: 443, initiatingProcessCommandLine: "python.exe -c \"S=list(range(256))\"" };
    const events = beacon("2024-01-01T00:05:00Z", 280, 300, python);
    expect(seed(events)).toEqual([]);
    const [finding] = detect(events, { beaconScoreThreshold: 0.5 });
    expect(finding.rules).toEqual(["beacon-only"]);
    expect(finding.connections.count).toBe(280);
    expect(finding.beacon?.timestampScore).toBe(1);
    expect(explainModeDifference(finding, null, DEFAULT_DETECTION_SETTINGS)).toBe(
      "The seed query does not flag this process: it loaded no crypto library (it may carry its own cipher, or run on Linux).",
    );
  });

  it("does not fire the beacon-only rule below the minimum number of connections, or for browsers", () => {
    expect(detect(beacon("2024-01-01T10:00:00Z", 9, 300, { remotePort: 443 }), { beaconScoreThreshold: 0 })).toEqual([]);
    expect(detect(beacon("2024-01-01T10:00:00Z", 50, 300, { remotePort: 443, initiatingProcessFileName: "Chrome.exe" }), { beaconScoreThreshold: 0 })).toEqual([]);
  });

  it("fires the Linux rule when openssl enc precedes a network tool connecting out (Atomic test 4)", () => {
    const events = [
      buildTestEvent("process", { at: "2024-01-01T10:00:00Z", deviceName: "lnx-1", fileName: "openssl", processId: 50, processCommandLine: "openssl enc -aes-256-cbc -in a -out b -k pw" }),
      buildTestEvent("process", { at: "2024-01-01T10:00:01Z", deviceName: "lnx-1", fileName: "nc", processId: 51, processCommandLine: "nc 198.51.100.23 4444" }),
      connection("2024-01-01T10:00:02Z", { deviceName: "lnx-1", initiatingProcessFileName: "nc", initiatingProcessId: 51, initiatingProcessCreationTime: null }),
      // Another device's openssl does not count.
      buildTestEvent("process", { at: "2024-01-01T10:00:00Z", deviceName: "lnx-2", fileName: "openssl", processId: 60, processCommandLine: "openssl enc -des3 -in a" }),
      connection("2024-01-01T10:00:02Z", { deviceName: "lnx-3", initiatingProcessFileName: "nc", initiatingProcessId: 61, initiatingProcessCreationTime: null }),
    ];
    const findings = detect(events);
    expect(findings.map((f) => [f.process.deviceName, f.rules, f.severity])).toEqual([["lnx-1", ["openssl-then-network"], "high"]]);
    expect(findings[0].reasons[0].text).toBe("openssl enc -aes-256-cbc -in a -out b -k pw ran 2.000 s before nc connected to 198.51.100.7:4444.");
  });

  it("drops openssl runs older than the window", () => {
    const events = [
      buildTestEvent("process", { at: "2024-01-01T10:00:00Z", fileName: "openssl", processId: 50, processCommandLine: "openssl enc -aes-256-cbc" }),
      connection("2024-01-01T10:02:01Z", { initiatingProcessFileName: "curl", initiatingProcessId: 51 }),
    ];
    expect(detect(events, { opensslWindowSeconds: 120 })).toEqual([]);
    expect(detect(events, { opensslWindowSeconds: 121 }).map((f) => f.rules)).toEqual([["openssl-then-network"]]);
  });

  it("includes loopback and private destinations only in lab mode", () => {
    const events = [load("2024-01-01T10:00:00Z"), connection("2024-01-01T10:01:00Z", { remoteIp: "127.0.0.1", remoteIpType: "Loopback" }), connection("2024-01-01T10:02:00Z", { remoteIp: "10.10.10.5", remoteIpType: null })];
    expect(detect(events)).toEqual([]);
    const [finding] = detect(events, { labMode: true });
    expect(finding.connections.destinations.map((d) => [d.remoteIp, d.addressClass])).toEqual([
      ["10.10.10.5", "Private"],
      ["127.0.0.1", "Loopback"],
    ]);
  });

  it("ignores events outside the lookback and after the as-of time", () => {
    const events = [load("2023-12-31T23:59:59Z"), connection("2024-01-01T00:00:30Z"), load("2024-01-02T00:00:01Z", { initiatingProcessId: 7 }), connection("2024-01-02T00:00:02Z", { initiatingProcessId: 7 })];
    expect(detect(events)).toEqual([]);
  });

  it("rates severity and confidence from independent evidence, with reasons pointing at events", () => {
    const withIds = (events: TelemetryEvent[]) => events.map((event, index) => ({ ...event, id: index + 1 }));
    const hidden = { initiatingProcessCommandLine: "powershell.exe -WindowStyle Hidden -c $x", initiatingProcessFileName: "powershell.exe" };
    const events = withIds([load("2024-01-01T10:00:00Z", hidden), connection("2024-01-01T10:01:00Z", hidden)]);
    const [finding] = detect(events);
    expect(finding.rules).toEqual(["crypto-load-then-connect"]);
    // Correlation plus a command-line indicator: one level up, two kinds of evidence.
    expect([finding.severity, finding.confidence]).toEqual(["high", "medium"]);
    expect(finding.reasons.map((r) => [r.kind, r.eventIds])).toEqual([
      ["crypto-load-then-connect", [1, 2]],
      ["command-line", [2]],
    ]);
  });
});

describe("isStrongBeacon", () => {
  const base = { score: 0.5, timestampScore: 0.5, dataSizeScore: null, histogramScore: 0, durationScore: 0, periodicity: 0.5, medianIntervalSeconds: 60, intervalMadSeconds: 1, connections: 20 };
  const settings = { beaconScoreThreshold: 0.8, beaconMinConnections: 10 };

  it("accepts RITA's combined score at the threshold", () => {
    expect(isStrongBeacon({ ...base, score: 0.8 }, settings)).toBe(true);
    expect(isStrongBeacon({ ...base, score: 0.799 }, settings)).toBe(false);
  });

  it("accepts a short but regular session: timestamp score and periodicity both at the threshold", () => {
    expect(isStrongBeacon({ ...base, timestampScore: 0.95, periodicity: 0.8 }, settings)).toBe(true);
    expect(isStrongBeacon({ ...base, timestampScore: 0.95, periodicity: 0.79 }, settings)).toBe(false);
    expect(isStrongBeacon({ ...base, timestampScore: 0.79, periodicity: 1 }, settings)).toBe(false);
  });

  it("needs the minimum number of connections", () => {
    expect(isStrongBeacon({ ...base, score: 1, connections: 9 }, settings)).toBe(false);
  });
});

describe("explainModeDifference", () => {
  it("says when both modes agree", () => {
    // One DLL, 5 connections 60 s apart, all inside the window: the seed sees what we see.
    const events = [load("2024-01-01T10:00:00Z"), ...beacon("2024-01-01T10:01:00Z", 5, 60)];
    const [seedRow] = seed(events);
    const [finding] = detect(events, { beaconMinConnections: 5 });
    expect([seedRow.ConnectionCount, seedRow.BeaconLikely]).toEqual([5, true]);
    expect(explainModeDifference(finding, seedRow, DEFAULT_DETECTION_SETTINGS)).toBe("Both modes agree on this process.");
  });

  it("explains a beacon the seed's window cannot see", () => {
    const events = [load("2024-01-01T10:00:00Z"), ...beacon("2024-01-01T10:10:00Z", 29, 1500)];
    const [finding] = detect(events);
    expect(explainModeDifference(finding, seed(events)[0], DEFAULT_DETECTION_SETTINGS)).toBe(
      "It only summarises connections within 15 minutes of a load; the process made 29 outbound connections in the lookback, all scored here. " +
        `It rates BeaconLikely false with a single connection in its window; the measured median interval is 25.0 min and the process is a strong beacon (score ${finding.beacon!.score.toFixed(3)}, threshold 0.8).`,
    );
  });
});

describe("runDefaultDetection with Sysmon process GUIDs", () => {
  it("identifies a process by its ProcessGuid and finds its parent through the GUIDs", () => {
    const guid = "{a1b2c3d4-0000-0000-0000-000000000001}";
    const parentGuid = "{a1b2c3d4-0000-0000-0000-000000000002}";
    const sysmon = { source: "sysmon" as const, initiatingProcessCreationTime: null, initiatingProcessGuid: guid };
    const events = [
      buildTestEvent("process", { at: "2024-01-01T09:00:00Z", source: "sysmon", fileName: "WINWORD.EXE", processId: 40, processGuid: parentGuid }),
      buildTestEvent("process", {
        at: "2024-01-01T09:59:00Z",
        source: "sysmon",
        fileName: "powershell.exe",
        processId: 100,
        processGuid: guid,
        initiatingProcessFileName: "WINWORD.EXE",
        initiatingProcessId: 40,
        initiatingProcessGuid: parentGuid,
      }),
      load("2024-01-01T10:00:00Z", { ...sysmon, initiatingProcessFileName: "powershell.exe" }),
      // Same PID, another GUID: a different process, so its connection does not qualify the first.
      connection("2024-01-01T10:01:00Z", { ...sysmon, initiatingProcessGuid: "{other}", initiatingProcessFileName: "powershell.exe" }),
      connection("2024-01-01T10:02:00Z", { ...sysmon, initiatingProcessFileName: "powershell.exe" }),
    ];
    const [finding] = detect(events);
    expect(finding.process.processGuid).toBe(guid);
    expect(finding.connections.count).toBe(1);
    expect(finding.parent).toEqual({ fileName: "WINWORD.EXE", processId: 40, commandLine: null });
    expect(finding.lineageFlags.map((flag) => flag.id)).toEqual(["office-spawns-shell"]);
  });
});
