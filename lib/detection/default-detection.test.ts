import { describe, expect, it } from "vitest";
import { buildTestEvent, type TestEventInput } from "../telemetry/build-test-event";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { seededRandom } from "../testing/seeded-random";
import { scoreBeaconSeries } from "./beacon-score";
import { hostOfRemoteUrl, isStrongBeacon, runDefaultDetection } from "./default-detection";
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

  it("takes a cipher command for encryption, and base64 encoding for none", () => {
    const after = (commandLine: string) =>
      detect([
        buildTestEvent("process", { at: "2024-01-01T10:00:00Z", fileName: "openssl", processId: 50, processCommandLine: commandLine }),
        connection("2024-01-01T10:00:02Z", { initiatingProcessFileName: "curl", initiatingProcessId: 51 }),
      ]).map((finding) => finding.rules);
    expect(after("openssl aes-256-cbc -in a -out b")).toEqual([["openssl-then-network"]]);
    expect(after("openssl enc -base64 -in a -out b")).toEqual([]);
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

  it("cites the connection beside the loads when there are more loads than a reason cites", () => {
    // 60 loads in the first minute (ids 1 to 60), then one connection (id 61): 50 events at most, both kinds cited.
    const loads = Array.from({ length: 60 }, (_, second) => load(`2024-01-01T10:00:${String(second).padStart(2, "0")}Z`));
    const events = [...loads, connection("2024-01-01T10:01:00Z")].map((event, index) => ({ ...event, id: index + 1 }));
    const [finding] = detect(events);
    const [correlation] = finding.reasons;
    expect(correlation.kind).toBe("crypto-load-then-connect");
    expect(correlation.eventIds).toEqual([...Array.from({ length: 49 }, (_, index) => index + 1), 61]);
  });

  it("scores a public address Defender types FourToSixMapping", () => {
    const mapped = { remoteIp: "::ffff:8.8.4.4", remoteIpType: "FourToSixMapping" };
    const [finding] = detect([load("2024-01-01T10:00:00Z"), connection("2024-01-01T10:01:00Z", mapped)]);
    expect(finding?.connections.destinations.map((destination) => [destination.remoteIp, destination.addressClass])).toEqual([["::ffff:8.8.4.4", "Public"]]);
    // The seed query, which needs RemoteIPType == "Public", does not see it.
    expect([finding.connections.inSeedWindow, finding.connectionEvents.map((connection) => connection.inSeedWindow)]).toEqual([0, [false]]);
    expect(explainModeDifference(finding, null, DEFAULT_DETECTION_SETTINGS)).toBe(
      'The seed query does not flag this process: the connections after its crypto load are not what its filter keeps: successful connections typed RemoteIPType "Public" (not failed attempts, FourToSixMapping or untyped addresses, or lab mode\'s private destinations).',
    );
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
    // Correlation (low alone) plus a command-line indicator: one level up, two kinds of evidence.
    expect([finding.severity, finding.confidence]).toEqual(["medium", "medium"]);
    expect(finding.reasons.map((r) => [r.kind, r.eventIds])).toEqual([
      ["crypto-load-then-connect", [1, 2]],
      ["command-line", [2]],
    ]);
  });
});

describe("runDefaultDetection: one finding per program", () => {
  it("keeps two programs apart that share a reused PID without creation times, excluded names or not, and their lineage", () => {
    const noCreation = { initiatingProcessId: 7, initiatingProcessCreationTime: null };
    const events = [
      // chrome.exe's own creation, by explorer.exe: the implant, reusing PID 7 later, is not its child.
      buildTestEvent("process", { at: "2024-01-01T09:59:00Z", fileName: "chrome.exe", processId: 7, initiatingProcessFileName: "explorer.exe", initiatingProcessId: 900 }),
      connection("2024-01-01T10:00:00Z", { ...noCreation, initiatingProcessFileName: "chrome.exe", initiatingProcessCommandLine: "chrome.exe" }),
      load("2024-01-01T10:01:00Z", { ...noCreation, initiatingProcessFileName: "implant.exe", initiatingProcessCommandLine: "implant.exe" }),
      ...beacon("2024-01-01T10:02:00Z", 6, 60, { ...noCreation, initiatingProcessFileName: "implant.exe", initiatingProcessCommandLine: "implant.exe" }),
    ];
    // With the excluded-name lists emptied (the server hides those names when findings are read).
    const findings = runDefaultDetection(events, {
      asOfUs: parseIsoTimestamp(AS_OF)!.us,
      lists: { ...SEED_QUERY_LISTS, excludedSystemProcesses: [], excludedBrowsers: [] },
      settings: DEFAULT_DETECTION_SETTINGS,
    });
    const implant = findings.find((finding) => finding.process.processName === "implant.exe");
    expect(implant?.connections.count).toBe(6);
    expect(implant?.parent).toBeNull();
    expect(findings.every((finding) => finding.process.processName !== "chrome.exe" || finding.connections.count === 1)).toBe(true);
    expect(new Set(findings.map((finding) => finding.key)).size).toBe(findings.length);
  });
});

describe("severity: evidence adds up", () => {
  it("rates a lone crypto load then connection low: visible, not alarming", () => {
    const [finding] = detect([load("2024-01-01T10:00:00Z"), connection("2024-01-01T10:01:00Z"), connection("2024-01-01T10:07:30Z")]);
    expect([finding.rules, finding.severity, finding.confidence]).toEqual([["crypto-load-then-connect"], "low", "low"]);
  });

  it("says how the evidence added up to the severity", () => {
    const [lone] = detect([load("2024-01-01T10:00:00Z"), connection("2024-01-01T10:01:00Z")]);
    expect(lone.severityBasis).toEqual(["Crypto DLL load then connection alone: low"]);
    const hidden = { initiatingProcessCommandLine: "powershell.exe -WindowStyle Hidden -c $x", initiatingProcessFileName: "powershell.exe" };
    const [full] = detect([load("2024-01-01T10:00:00Z", hidden), ...beacon("2024-01-01T10:01:00Z", 12, 60, hidden)]);
    expect([full.severity, full.severityBasis]).toEqual([
      "critical",
      ["Crypto DLL load then connection, with a strong beacon: high", "Suspicious command line: one level up, critical"],
    ]);
  });

  it("rates a strong beacon medium, and high with the correlation", () => {
    expect(detect(beacon("2024-01-01T10:01:00Z", 12, 60)).map((f) => [f.rules, f.severity])).toEqual([[["beacon-only"], "medium"]]);
    const [both] = detect([load("2024-01-01T10:00:00Z"), ...beacon("2024-01-01T10:01:00Z", 12, 60)]);
    expect([both.rules, both.severity]).toEqual([["crypto-load-then-connect", "beacon-only"], "high"]);
  });
});

describe("a short beacon from a suspicious image", () => {
  const dropped = { initiatingProcessFileName: "upd.exe", initiatingProcessFolderPath: "C:\\Users\\bob\\AppData\\Local\\Temp\\upd.exe" };

  it("flags 6 to 9 regular connections on a non-standard port from a user-writable folder, at least medium", () => {
    const [finding] = detect(beacon("2024-01-01T10:01:00Z", 7, 60, dropped));
    expect([finding?.rules, finding?.severity]).toEqual([["short-beacon"], "medium"]);
    expect(finding.reasons.map((reason) => reason.kind)).toEqual(["short-beacon", "lineage"]);
    expect(finding.reasons[0].text.split(":").slice(0, 2).join(":")).toBe("Short beacon to 198.51.100.7:4444");
  });

  it("needs the suspicious lineage or location, six connections, and a non-standard port", () => {
    const installed = { initiatingProcessFileName: "upd.exe", initiatingProcessFolderPath: "C:\\Program Files\\Upd\\upd.exe" };
    expect(detect(beacon("2024-01-01T10:01:00Z", 7, 60, installed))).toEqual([]);
    expect(detect(beacon("2024-01-01T10:01:00Z", 5, 60, dropped))).toEqual([]);
    expect(detect(beacon("2024-01-01T10:01:00Z", 7, 60, { ...dropped, remotePort: 443 }))).toEqual([]);
  });
});

describe("a crypto load then a connection from a suspicious image, on any port", () => {
  // OTRF's Metasploit payload: run from Downloads, it loads crypto DLLs, then connects twice to 8443, a standard port.
  const payload = { initiatingProcessFileName: "payload.exe", initiatingProcessFolderPath: "C:\\Users\\pedro\\Downloads\\payload.exe", remotePort: 8443 };

  it("is a finding, medium, where the seed's correlation (non-standard ports only) cannot fire", () => {
    const [finding] = detect([load("2024-01-01T10:00:00Z", payload), connection("2024-01-01T10:00:02Z", payload), connection("2024-01-01T10:00:03Z", payload)]);
    expect([finding?.rules, finding?.severity, finding?.severityBasis]).toEqual([
      ["suspicious-image-load-then-connect"],
      "medium",
      ["Crypto DLL load then connection from a suspicious image alone: low", "Suspicious lineage or location: one level up, medium"],
    ]);
    expect(finding.reasons.map((reason) => reason.kind)).toEqual(["suspicious-image-load-then-connect", "lineage"]);
    expect(finding.reasons[0].text).toBe("Loaded bcrypt.dll, then connected to 198.51.100.7:8443 2.000 s later, from an image with suspicious lineage or location; 2 connection(s) within 15 min of a load.");
  });

  it("needs the suspicious image and the window", () => {
    const installed = { ...payload, initiatingProcessFolderPath: "C:\\Program Files\\Payload\\payload.exe" };
    expect(detect([load("2024-01-01T10:00:00Z", installed), connection("2024-01-01T10:00:02Z", installed)])).toEqual([]);
    // A per-user install is user-writable, but not a staging folder: OneDrive does this all day.
    const perUser = { initiatingProcessFileName: "OneDrive.exe", initiatingProcessFolderPath: "C:\\Users\\alice\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe", remotePort: 443 };
    expect(detect([load("2024-01-01T10:00:00Z", perUser), connection("2024-01-01T10:00:02Z", perUser)])).toEqual([]);
    expect(detect([load("2024-01-01T10:00:00Z", payload), connection("2024-01-01T10:16:00Z", payload)])).toEqual([]);
  });
});

describe("Sysmon events placed by the collector's clock", () => {
  it("says so in a reason citing those events", () => {
    const skewed = { initiatingProcessFileName: "payload.exe", initiatingProcessFolderPath: "C:\\Users\\pedro\\Downloads\\payload.exe", remotePort: 8443 };
    const placed = (at: string, utcTime: string) => ({ ...connection(at, skewed), id: Date.parse(at), clockCorrectedFrom: utcTime });
    const [finding] = detect([load("2024-01-01T10:00:00Z", skewed), placed("2024-01-01T10:00:02Z", "2023-12-27T11:25:00.0000000Z"), connection("2024-01-01T10:00:03Z", skewed)]);
    const clock = finding.reasons.find((reason) => reason.kind === "clock");
    expect(clock).toEqual({
      kind: "clock",
      text: "Clock: Sysmon dated 1 of its events before its own process was created (up to 118.6 h early); they are placed by the collector's time, less this host's offset for process creations.",
      eventIds: [Date.parse("2024-01-01T10:00:02Z")],
    });
  });
});

describe("lab mode: failed connection attempts", () => {
  // The seed's Atomic tests 1 and 2 aim at closed ports on 127.0.0.1: every attempt fails.
  const failed = (at: string, overrides: Partial<TestEventInput> = {}) => connection(at, { actionType: "ConnectionFailed", remoteIp: "127.0.0.1", remoteIpType: "Loopback", ...overrides });

  it("counts them as connections in lab mode only", () => {
    const events = [load("2024-01-01T10:00:00Z"), failed("2024-01-01T10:00:05Z"), failed("2024-01-01T10:00:35Z")];
    expect(detect(events)).toEqual([]);
    const [finding] = detect(events, { labMode: true });
    expect(finding.rules).toEqual(["crypto-load-then-connect"]);
    expect([finding.connections.count, finding.connections.failedAttempts]).toEqual([2, 2]);
    expect(finding.connectionEvents.map((connection) => [connection.failed, connection.inSeedWindow])).toEqual([
      [true, false],
      [true, false],
    ]);
  });

  it("scores them as beacon evidence in lab mode", () => {
    const attempts = Array.from({ length: 12 }, (_, minute) => failed(`2024-01-01T10:${String(minute).padStart(2, "0")}:00Z`));
    expect(detect(attempts, { labMode: true }).map((finding) => finding.rules)).toEqual([["beacon-only"]]);
  });
});

describe("beaconing per address across ports", () => {
  it("finds a C2 that rotates its port each connection: regular per address, one connection per port", () => {
    // 30 connections a minute apart to one address, each on a new port; no DLL load.
    const rotating = Array.from({ length: 30 }, (_, i) => connection(`2024-01-01T10:${String(i).padStart(2, "0")}:00Z`, { remotePort: 20000 + i }));
    const [finding] = detect(rotating);
    expect(finding?.rules).toEqual(["beacon-only"]);
    expect(finding.connections.destinations).toHaveLength(30);
    expect([finding.beacon?.remoteIp, finding.beacon?.remotePort, finding.beacon?.distinctTimestamps, finding.beacon?.periodicity]).toEqual(["198.51.100.7", null, 30, 1]);
    expect(finding.reasons.map((reason) => reason.text.split(":")[0])).toEqual(["Beacon to 198.51.100.7 across 30 ports"]);
  });

  it("says nothing more about an address whose port series is already a beacon", () => {
    const samePort = beacon("2024-01-01T10:00:00Z", 12, 60);
    const otherPort = connection("2024-01-01T10:30:30Z", { remotePort: 5555 });
    const [finding] = detect([...samePort, otherPort]);
    expect(finding.reasons.map((reason) => reason.text.split(":").slice(0, 2).join(":"))).toEqual(["Beacon to 198.51.100.7:4444"]);
  });
});

describe("the finding's beacon", () => {
  it("is the series that made it a strong beacon, not a higher-scoring one that is not", () => {
    // 203.0.113.10: 24 connections over 11 h, mostly 5 min apart with long gaps, varying sizes: score 0.553,
    // periodicity 0, not strong. 198.51.100.7: 10 connections a minute apart from 10:00: score 0.5, but
    // timestamp score and periodicity 1, strong.
    const gaps = [300, 300, 300, 600, 7200, 300, 300, 900, 5400, 300, 300, 300, 6000, 600, 300, 300, 7000, 300, 300, 600, 8000, 300, 300];
    const offsets = gaps.reduce((times, gap) => [...times, times[times.length - 1] + gap], [600]);
    const dayStart = Date.parse("2024-01-01T00:00:00Z");
    const irregular = offsets.map((offset, index) =>
      connection(new Date(dayStart + offset * 1000).toISOString(), { remoteIp: "203.0.113.10", remotePort: 8443, sentBytes: 100 + ((index * 7919) % 5000), receivedBytes: 0 }),
    );
    const regular = beacon("2024-01-01T10:00:00Z", 10, 60, { sentBytes: 300, receivedBytes: 0 });
    const [finding] = detect([...irregular, ...regular]);
    expect(finding.connections.destinations.map((destination) => [destination.remoteIp, destination.beacon.score])).toEqual([
      ["203.0.113.10", 0.553],
      ["198.51.100.7", 0.5],
    ]);
    expect([finding.strongBeacon, finding.beacon?.remoteIp, finding.beacon?.score]).toEqual([true, "198.51.100.7", 0.5]);
  });
});

describe("isStrongBeacon", () => {
  const base = { score: 0.5, timestampScore: 0.5, dataSizeScore: null, histogramScore: 0, durationScore: 0, periodicity: 0.5, medianIntervalSeconds: 60, intervalMadSeconds: 1, connections: 20, distinctTimestamps: 20 };
  const settings = { beaconScoreThreshold: 0.8, beaconMinConnections: 10 };

  it("accepts RITA's combined score at the threshold with a periodicity halfway from chance over 100 intervals or more, more over fewer", () => {
    const long = { ...base, connections: 101, distinctTimestamps: 101 };
    expect(isStrongBeacon({ ...long, score: 0.8 }, settings)).toBe(true);
    expect(isStrongBeacon({ ...long, score: 0.799 }, settings)).toBe(false);
    expect(isStrongBeacon({ ...long, score: 1, periodicity: 0.499 }, settings)).toBe(false);
    // 65 intervals: halfway between 30 (0.8 needed) and 100 (0.5), so 0.65.
    expect(isStrongBeacon({ ...base, score: 1, periodicity: 0.65, connections: 66, distinctTimestamps: 66 }, settings)).toBe(true);
    expect(isStrongBeacon({ ...base, score: 1, periodicity: 0.649, connections: 66, distinctTimestamps: 66 }, settings)).toBe(false);
    // 19 intervals: 0.8.
    expect(isStrongBeacon({ ...base, score: 1, periodicity: 0.8 }, settings)).toBe(true);
    expect(isStrongBeacon({ ...base, score: 1, periodicity: 0.799 }, settings)).toBe(false);
  });

  it("accepts a short but regular session: timestamp score and periodicity both at the threshold", () => {
    expect(isStrongBeacon({ ...base, timestampScore: 0.95, periodicity: 0.8 }, settings)).toBe(true);
    expect(isStrongBeacon({ ...base, timestampScore: 0.95, periodicity: 0.79 }, settings)).toBe(false);
    expect(isStrongBeacon({ ...base, timestampScore: 0.79, periodicity: 1 }, settings)).toBe(false);
  });

  it("does not take random (Poisson) traffic with unknown sizes for a beacon, on any of 20 days", () => {
    // 2,000 connections a day at random: histogram and duration score them near 1, the combined
    // score reaches the threshold, but their periodicity is no better than chance.
    const day: [number, number] = [0, 86_400];
    const strongDays = Array.from({ length: 20 }, (_, seed) => {
      const random = seededRandom(seed + 1);
      const times: number[] = [];
      for (let time = -43.2 * Math.log(1 - random()); time < 86_400; time += -43.2 * Math.log(1 - random())) times.push(time);
      return isStrongBeacon(scoreBeaconSeries({ timestampsSeconds: times, bytes: times.map(() => null), rangeSeconds: day }), DEFAULT_DETECTION_SETTINGS);
    }).filter(Boolean).length;
    expect(strongDays).toBe(0);
  });

  it("does not take sparse random traffic for a beacon: at 12, 20 or 30 connections a day, on at most 5 of 1,000 days", () => {
    // With few intervals, chance alone reaches a periodicity of 0.5 on about 5% of such days.
    const strongDays = (perDay: number) =>
      Array.from({ length: 1000 }, (_, seed) => {
        const random = seededRandom(seed * 31 + perDay);
        const mean = 86_400 / perDay;
        const times: number[] = [];
        for (let time = -mean * Math.log(1 - random()); time < 86_400; time += -mean * Math.log(1 - random())) times.push(time);
        return times.length >= 10 && isStrongBeacon(scoreBeaconSeries({ timestampsSeconds: times, bytes: times.map(() => null), rangeSeconds: [0, 86_400] }), DEFAULT_DETECTION_SETTINGS);
      }).filter(Boolean).length;
    expect([12, 20, 30].map((perDay) => strongDays(perDay) <= 5)).toEqual([true, true, true]);
  });

  it("still takes a beacon of a few beats a day, jittered by up to 25% of its period", () => {
    const random = seededRandom(3);
    for (const beats of [10, 12, 24]) {
      const period = 86_400 / beats;
      const times = Array.from({ length: beats }, (_, beat) => beat * period + (random() - 0.5) * period * 0.5);
      expect([beats, isStrongBeacon(scoreBeaconSeries({ timestampsSeconds: times, bytes: [], rangeSeconds: [0, 86_400] }), DEFAULT_DETECTION_SETTINGS)]).toEqual([beats, true]);
    }
  });

  it("still takes a clockwork beacon that paused 8 hours overnight", () => {
    const beats = [...Array.from({ length: 480 }, (_, beat) => beat * 60), ...Array.from({ length: 480 }, (_, beat) => 16 * 3600 + beat * 60)];
    expect(isStrongBeacon(scoreBeaconSeries({ timestampsSeconds: beats, bytes: [], rangeSeconds: [0, 86_400] }), DEFAULT_DETECTION_SETTINGS)).toBe(true);
  });

  it("still takes a beacon jittered by up to 50% over the day", () => {
    const random = seededRandom(7);
    const times = Array.from({ length: 1440 }, (_, beat) => beat * 60 + (random() - 0.5) * 30);
    expect(isStrongBeacon(scoreBeaconSeries({ timestampsSeconds: times, bytes: [], rangeSeconds: [0, 86_400] }), DEFAULT_DETECTION_SETTINGS)).toBe(true);
  });

  it("needs the minimum number of connections at distinct times", () => {
    expect(isStrongBeacon({ ...base, score: 1, connections: 9, distinctTimestamps: 9 }, settings)).toBe(false);
    expect(isStrongBeacon({ ...base, score: 1, connections: 20, distinctTimestamps: 9 }, settings)).toBe(false);
  });

  it("does not count connections at the same instant twice toward the minimum (RITA counts unique timestamps)", () => {
    // Two sockets a minute, five minutes: ten connections at five times, regular but under the minimum of ten.
    const pairs = [...beacon("2024-01-01T10:01:00Z", 5, 60), ...beacon("2024-01-01T10:01:00Z", 5, 60)];
    expect(detect(pairs)).toEqual([]);
    // Ten distinct minutes are enough.
    expect(detect(beacon("2024-01-01T10:01:00Z", 10, 60)).map((finding) => finding.rules)).toEqual([["beacon-only"]]);
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
        `It rates BeaconLikely false with a single connection in its window; the measured median interval is 25.0 min and the process is a strong beacon (score ${finding.beacon!.score.toFixed(3)}, threshold 0.8; periodicity 1.000, at least 0.80 beside the score).`,
    );
  });
});

describe("runDefaultDetection with Sysmon process GUIDs", () => {
  /** A Sysmon process creation (event 1). */
  const sysmonCreation = (at: string, fields: Partial<TestEventInput>) => buildTestEvent("process", { at, source: "sysmon", ...fields });

  it("identifies a process by its ProcessGuid and finds its parent through the GUIDs", () => {
    const guid = "{a1b2c3d4-0000-0000-0000-000000000001}";
    const parentGuid = "{a1b2c3d4-0000-0000-0000-000000000002}";
    const sysmon = { source: "sysmon" as const, initiatingProcessCreationTime: null, initiatingProcessGuid: guid };
    const events = [
      sysmonCreation("2024-01-01T09:00:00Z", { fileName: "WINWORD.EXE", processId: 40, processGuid: parentGuid }),
      sysmonCreation("2024-01-01T09:59:00Z", {
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

  it("reads a Sysmon process's command line from its creation event (events 3 and 7 carry none)", () => {
    const guid = "{a1b2c3d4-0000-0000-0000-000000000003}";
    const sysmon = { source: "sysmon" as const, initiatingProcessCreationTime: null, initiatingProcessGuid: guid, initiatingProcessCommandLine: null, initiatingProcessFileName: "powershell.exe" };
    const events = [
      sysmonCreation("2024-01-01T09:59:00Z", { fileName: "powershell.exe", processId: 100, processGuid: guid, processCommandLine: "powershell.exe -WindowStyle Hidden -c $x" }),
      load("2024-01-01T10:00:00Z", sysmon),
      connection("2024-01-01T10:01:00Z", sysmon),
    ];
    const [finding] = detect(events);
    // Shown with the process; the seed query, which groups by the events' own (empty) command line, is mapped by that.
    expect([finding.process.commandLine, finding.process.eventCommandLine]).toEqual(["powershell.exe -WindowStyle Hidden -c $x", ""]);
    expect(finding.commandLineIndicators.map((indicator) => indicator.evidence)).toEqual(["-WindowStyle Hidden"]);
    expect(finding.reasons.map((reason) => reason.kind)).toEqual(["crypto-load-then-connect", "command-line"]);
  });
});

describe("runDefaultDetection on busy devices: the indexes behind each O(n log n) step", () => {
  const isoAt = (ms: number) => new Date(ms).toISOString();

  it("correlates 40,000 crypto loads with 40,000 connections of one process, window edges included", () => {
    // 40 bursts 2,000 s apart from 00:16:40. Each: 1,000 loads at the burst's instant, then 1,000
    // connections 1 s apart (k = 0..999) from that same instant; k % 10 === 5 goes to port 443.
    // k = 0..900 are in the burst's window (both ends inclusive; the previous burst is 2,000 s
    // back), less the 90 to port 443 among them: 811 per burst.
    const dayStartMs = Date.parse("2024-01-01T00:00:00Z");
    const events: TelemetryEvent[] = [];
    for (let burst = 0; burst < 40; burst++) {
      const burstMs = dayStartMs + 1_000_000 + burst * 2_000_000;
      for (let i = 0; i < 1000; i++) events.push(load(isoAt(burstMs)));
      for (let k = 0; k < 1000; k++) events.push(connection(isoAt(burstMs + k * 1000), k % 10 === 5 ? { remotePort: 443 } : {}));
    }
    // Above every series' size, so no beacon rule: this case is about the load-then-connect rule.
    const [finding, ...others] = detect(events, { beaconMinConnections: 100_000 });
    expect(others).toEqual([]);
    expect(finding.rules).toEqual(["crypto-load-then-connect"]);
    expect(finding.loads).toHaveLength(40_000);
    expect(finding.connections.count).toBe(40_000);
    expect(finding.connections.inSeedWindow).toBe(40 * 811);
    expect(finding.connectionEvents.filter((c) => c.inSeedWindow)).toHaveLength(32_440);
    expect(finding.reasons[0].text).toBe(
      "Loaded bcrypt.dll, then connected to 198.51.100.7:4444 (non-standard port) 0.000 s later; 32440 connection(s) within 15 min of a load.",
    );
    // First and last burst: k = 0 is at the loads' instant, k = 900 exactly 15 min later, k = 901 past it; 895 is on 443.
    const inWindow = (index: number) => finding.connectionEvents[index].inSeedWindow;
    expect([0, 894, 895, 900, 901, 999].map(inWindow)).toEqual([true, true, false, true, false, false]);
    expect([39_000, 39_900, 39_901].map(inWindow)).toEqual([true, true, false]);
  });

  it("cites, for each network tool, the latest openssl enc run of its device within the window before its first connection", () => {
    const lnx1 = (at: string, fileName: string, processCommandLine: string, processId: number) =>
      buildTestEvent("process", { at, deviceName: "lnx-1", fileName, processCommandLine, processId });
    const tool = (at: string, name: string, processId: number) =>
      connection(at, { deviceName: "lnx-1", initiatingProcessFileName: name, initiatingProcessId: processId, initiatingProcessCreationTime: null, initiatingProcessCommandLine: name });
    const startMs = Date.parse("2024-01-01T09:00:00Z");
    const events = [
      // 20,000 other processes, one every 200 ms from 09:00:00 to 10:06:39.8.
      ...Array.from({ length: 20_000 }, (_, i) => lnx1(isoAt(startMs + i * 200), "bash", "bash -c true", 10_000 + i)),
      // 1,000 openssl enc runs an hour too early, and 2,000 openssl runs that encrypt nothing among the tools.
      ...Array.from({ length: 1_000 }, (_, i) => lnx1(isoAt(startMs - 3_600_000 + i * 1000), "openssl", `openssl enc -aes-256-cbc -in old-${i}`, 30_000 + i)),
      ...Array.from({ length: 2_000 }, (_, i) => lnx1(isoAt(startMs + 3_600_000 + i * 200), "openssl", "openssl version", 40_000 + i)),
      lnx1("2024-01-01T10:00:00Z", "openssl", "openssl enc -aes-256-cbc -in a", 50),
      lnx1("2024-01-01T10:01:00Z", "openssl", "openssl enc -aes-256-cbc -in b", 60),
      lnx1("2024-01-01T10:05:00Z", "openssl", "openssl enc -aes-256-cbc -in c", 70),
      // Another device's run, later than b: never cited for lnx-1.
      buildTestEvent("process", { at: "2024-01-01T10:01:30Z", deviceName: "lnx-2", fileName: "openssl", processCommandLine: "openssl enc -des3 -in other-device", processId: 80 }),
      // a (120 s before: the inclusive edge) and b (60 s) are in the window: b is the latest.
      tool("2024-01-01T10:02:00Z", "nc", 51),
      // b is exactly 120 s before: in.
      tool("2024-01-01T10:03:00Z", "curl", 52),
      // b is 120.000001 s before the first connection: out (c is within 10 s of the second, which does not count).
      tool("2024-01-01T10:03:00.000001Z", "wget", 53),
      tool("2024-01-01T10:05:10Z", "wget", 53),
      // c at the same instant counts.
      tool("2024-01-01T10:05:00Z", "socat", 54),
      // c is 1 µs later and b 239.999999 s earlier: none.
      tool("2024-01-01T10:04:59.999999Z", "ncat", 55),
    ].sort((a, b) => a.timeUs - b.timeUs);
    const findings = detect(events);
    expect(findings.map((f) => [f.process.processName, f.rules, f.reasons.find((r) => r.kind === "openssl-then-network")?.text])).toEqual([
      ["curl", ["openssl-then-network"], "openssl enc -aes-256-cbc -in b ran 2.0 min before curl connected to 198.51.100.7:4444."],
      ["nc", ["openssl-then-network"], "openssl enc -aes-256-cbc -in b ran 60.0 s before nc connected to 198.51.100.7:4444."],
      ["socat", ["openssl-then-network"], "openssl enc -aes-256-cbc -in c ran 0.000 s before socat connected to 198.51.100.7:4444."],
    ]);
  });

  it("cites the latest openssl run in the window, whatever order the events come in", () => {
    const run = (at: string, file: string) => buildTestEvent("process", { at, fileName: "openssl", processCommandLine: `openssl enc -aes-256-cbc -in ${file}` });
    const events = [
      run("2024-01-01T10:01:30Z", "latest"),
      run("2024-01-01T10:01:00Z", "listed-last"),
      connection("2024-01-01T10:02:00Z", { initiatingProcessFileName: "curl", initiatingProcessId: 51 }),
    ];
    expect(detect(events).map((f) => f.reasons.find((r) => r.kind === "openssl-then-network")?.text)).toEqual([
      "openssl enc -aes-256-cbc -in latest ran 30.0 s before curl connected to 198.51.100.7:4444.",
    ]);
  });

  it("cites each beacon destination's own connections", () => {
    // Three destinations, 12 connections each every 300 s, interleaved: ids 1, 4, ... go to .1; 2, 5, ... to .2.
    const python = { initiatingProcessFileName: "python.exe", initiatingProcessId: 300 };
    const startMs = Date.parse("2024-01-01T10:00:00Z");
    const events = Array.from({ length: 36 }, (_, index) => ({
      ...connection(isoAt(startMs + Math.floor(index / 3) * 300_000 + (index % 3) * 1000), { ...python, remoteIp: `198.51.100.${(index % 3) + 1}` }),
      id: index + 1,
    }));
    const [finding] = detect(events);
    expect(finding.rules).toEqual(["beacon-only"]);
    const everyThird = (firstId: number) => Array.from({ length: 12 }, (_, i) => firstId + 3 * i);
    expect(finding.reasons.filter((r) => r.kind === "beacon").map((r) => [r.text.split(":")[0], r.eventIds])).toEqual([
      ["Beacon to 198.51.100.1", everyThird(1)],
      ["Beacon to 198.51.100.2", everyThird(2)],
      ["Beacon to 198.51.100.3", everyThird(3)],
    ]);
  });

  it("finds a reused PID's creation by creation time, else (no creation time known) the latest at or before the first connection", () => {
    // PID 100 created 1,000 times, once a second from 09:00:00, each by parent-<i>.exe; creation 500
    // (09:08:20) is reported again at 09:20:00 by another parent.
    const startMs = Date.parse("2024-01-01T09:00:00Z");
    const creation = (atMs: number, createdMs: number, parent: string) =>
      buildTestEvent("process", {
        at: isoAt(atMs),
        fileName: "evil.exe",
        processId: 100,
        processCreationTime: isoAt(createdMs).replace(/\.\d+Z$/, ".0000000Z"),
        initiatingProcessFileName: parent,
        initiatingProcessId: 7,
      });
    const creations = Array.from({ length: 1000 }, (_, i) => creation(startMs + i * 1000, startMs + i * 1000, `parent-${i}.exe`));
    creations.push(creation(startMs + 20 * 60_000, startMs + 500_000, "late-copy.exe"));
    const processCreatedAt = (createdAt: string | null, loadAt: string, connectAt: string) => [
      load(loadAt, { initiatingProcessCreationTime: createdAt }),
      connection(connectAt, { initiatingProcessCreationTime: createdAt }),
    ];
    const events = [
      ...creations,
      // Its creation time, spelled without fractions, matches creation 500 (the first report).
      ...processCreatedAt("2024-01-01T09:08:20Z", "2024-01-01T09:30:00Z", "2024-01-01T09:31:00Z"),
      // No creation has this time: its own creation was not collected. Creation 600 (09:10:00) is another
      // process that reused the PID, so its parent is not this one's: no parent is known.
      ...processCreatedAt("2024-01-01T08:00:00Z", "2024-01-01T09:09:30Z", "2024-01-01T09:10:00Z"),
      // No creation time: the latest before 09:05:00.5 is creation 300.
      ...processCreatedAt(null, "2024-01-01T09:04:00Z", "2024-01-01T09:05:00.5Z"),
    ];
    const parents = new Map(detect(events).map((f) => [f.process.processCreationTime, f.parent?.fileName]));
    expect(parents).toEqual(
      new Map([
        ["2024-01-01T09:08:20.0000000Z", "parent-500.exe"],
        ["2024-01-01T08:00:00.0000000Z", undefined],
        [null, "parent-300.exe"],
      ]),
    );
  });
});

describe("hostOfRemoteUrl", () => {
  it("reads the host of a bare name, a host and path, or a full URL", () => {
    expect(["Repo1.Backup.example.com", "cdn.example.net/path?q=1", "https://user@login.example.org:8443/x", "  ", null].map(hostOfRemoteUrl)).toEqual([
      "repo1.backup.example.com",
      "cdn.example.net",
      "login.example.org",
      null,
      null,
    ]);
  });
});
