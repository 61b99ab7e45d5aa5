/** Each evidence module on a hand-built candidate process: the rule it fires and its reasons, exactly. */
import { describe, expect, it } from "vitest";
import { buildTestEvent, type TestEventInput } from "../../telemetry/build-test-event";
import type { BeaconScore } from "../beacon-score";
import type { DetectionEvent } from "../detection-event";
import { DEFAULT_DETECTION_SETTINGS } from "../detection-settings";
import { beaconing } from "./beaconing";
import { clock } from "./clock";
import { commandLine } from "./command-line";
import { cryptoLoadThenConnect } from "./crypto-load-then-connect";
import type { CandidateProcess, DestinationSeries } from "./evidence-module";
import { lineage } from "./lineage";
import { opensslThenNetwork } from "./openssl-then-network";
import { shortBeacon } from "./short-beacon";
import { suspiciousImageLoadThenConnect } from "./suspicious-image-load-then-connect";

let nextId = 1;
const event = (kind: DetectionEvent["kind"], at: string, fields: Partial<TestEventInput> = {}): DetectionEvent => ({ ...buildTestEvent(kind, { at, ...fields }), id: nextId++ });
const load = (at: string) => event("image_load", at, { fileName: "bcrypt.dll" });
const connection = (at: string, remotePort = 4444, fields: Partial<TestEventInput> = {}) => event("network", at, { remoteIp: "198.51.100.7", remotePort, ...fields });

const regular: BeaconScore = {
  score: 0.5, timestampScore: 1, dataSizeScore: null, histogramScore: 0, durationScore: 0, periodicity: 1, medianIntervalSeconds: 60, intervalMadSeconds: 0.5, connections: 7, distinctTimestamps: 7,
};
const series = (connections: DetectionEvent[], beacon: BeaconScore = regular, remotePort = 4444): DestinationSeries => ({
  summary: { remoteIp: "198.51.100.7", remotePort, addressClass: "Public", remoteDomains: [], unnamedConnections: 0, connections: connections.length, firstConnection: connections[0].timestamp, lastConnection: connections[connections.length - 1].timestamp, bytesSent: null, bytesReceived: null, beacon },
  connections,
});

function candidate(overrides: Partial<CandidateProcess>): CandidateProcess {
  const connections = overrides.connections ?? [connection("2024-01-01T10:00:02Z")];
  return {
    identity: {
      deviceName: "ws-01", deviceId: null, processName: "evil.exe", processId: 100, processCreationTime: null, processGuid: null,
      commandLine: "evil.exe", eventCommandLine: "evil.exe", accountName: "", sha256: "", folderPath: "C:\\Program Files\\Evil\\evil.exe",
    },
    image: { fileName: "evil.exe", folderPath: "C:\\Program Files\\Evil\\evil.exe", commandLine: "evil.exe" },
    loads: [],
    connections,
    creation: null,
    lineageFlags: [],
    commandLineIndicators: [],
    afterLoad: [],
    destinationSeries: [],
    strongPorts: [],
    strongAddresses: [],
    opensslRuns: [],
    ...overrides,
  };
}

const context = { settings: DEFAULT_DETECTION_SETTINGS, standardPorts: new Set([443, 8443]) };
const dropped = { id: "user-writable-path" as const, label: "Runs from a user-writable folder", detail: "evil.exe runs from C:\\Users\\bob\\Downloads\\evil.exe" };

describe("evidence modules", () => {
  it("crypto load then connect: the windowed connections off the standard ports", () => {
    const loads = [load("2024-01-01T10:00:00Z")];
    const [onStandard, offStandard] = [connection("2024-01-01T10:00:01Z", 443), connection("2024-01-01T10:00:03Z", 4444)];
    expect(cryptoLoadThenConnect(candidate({ loads, connections: [onStandard, offStandard], afterLoad: [onStandard, offStandard] }), context)).toEqual({
      rule: "crypto-load-then-connect",
      reasons: [
        {
          kind: "crypto-load-then-connect",
          text: "Loaded bcrypt.dll, then connected to 198.51.100.7:4444 (non-standard port) 3.000 s later; 1 connection(s) within 15 min of a load.",
          eventIds: [loads[0].id, offStandard.id],
        },
      ],
    });
    expect(cryptoLoadThenConnect(candidate({ loads, connections: [onStandard], afterLoad: [onStandard] }), context)).toBeNull();
  });

  it("suspicious image: the correlation on a standard port from a staging folder, not from a per-user install", () => {
    const loads = [load("2024-01-01T10:00:00Z")];
    const onStandard = connection("2024-01-01T10:00:02Z", 8443);
    const inDownloads = { fileName: "evil.exe", folderPath: "C:\\Users\\bob\\Downloads\\evil.exe", commandLine: "" };
    expect(suspiciousImageLoadThenConnect(candidate({ loads, afterLoad: [onStandard], image: inDownloads, lineageFlags: [dropped] }), context)).toEqual({
      rule: "suspicious-image-load-then-connect",
      reasons: [
        {
          kind: "suspicious-image-load-then-connect",
          text: "Loaded bcrypt.dll, then connected to 198.51.100.7:8443 2.000 s later, from an image with suspicious lineage or location; 1 connection(s) within 15 min of a load.",
          eventIds: [loads[0].id, onStandard.id],
        },
      ],
    });
    const perUser = { fileName: "evil.exe", folderPath: "C:\\Users\\bob\\AppData\\Local\\Evil\\evil.exe", commandLine: "" };
    expect(suspiciousImageLoadThenConnect(candidate({ loads, afterLoad: [onStandard], image: perUser, lineageFlags: [dropped] }), context)).toBeNull();
  });

  it("beaconing: one reason per strong port, then per address across ports", () => {
    const beats = [connection("2024-01-01T10:00:00Z"), connection("2024-01-01T10:01:00Z")];
    const evidence = beaconing(candidate({ strongPorts: [series(beats)], strongAddresses: [{ remoteIp: "203.0.113.9", ports: [1, 2, 3], beacon: regular, connections: beats }] }), context);
    expect(evidence).toEqual({
      rule: "beacon-only",
      reasons: [
        { kind: "beacon", text: "Beacon to 198.51.100.7:4444: score 0.500 over 7 connections, median interval 60.0 s, jitter (MAD) 0.500 s.", eventIds: beats.map((beat) => beat.id) },
        { kind: "beacon", text: "Beacon to 203.0.113.9 across 3 ports: score 0.500 over 7 connections, median interval 60.0 s, jitter (MAD) 0.500 s.", eventIds: beats.map((beat) => beat.id) },
      ],
    });
    expect(beaconing(candidate({}), context)).toBeNull();
  });

  it("short beacon: 6 to 9 regular connections on a non-standard port, only with a lineage flag", () => {
    const beats = [connection("2024-01-01T10:00:00Z")];
    expect(shortBeacon(candidate({ destinationSeries: [series(beats)], lineageFlags: [dropped] }), context)?.rule).toBe("short-beacon");
    expect(shortBeacon(candidate({ destinationSeries: [series(beats)] }), context)).toBeNull();
    expect(shortBeacon(candidate({ destinationSeries: [series(beats, regular, 443)], lineageFlags: [dropped] }), context)).toBeNull();
    expect(shortBeacon(candidate({ destinationSeries: [series(beats, { ...regular, distinctTimestamps: 10 })], lineageFlags: [dropped] }), context)).toBeNull();
  });

  it("lineage and command line: reasons citing the creation, no rule", () => {
    const creation = event("process", "2024-01-01T09:59:00Z", { processId: 100 });
    const indicator = { id: "hidden-window" as const, label: "Hidden window", evidence: "-WindowStyle Hidden" };
    expect([lineage(candidate({ creation, lineageFlags: [dropped] }), context), commandLine(candidate({ creation, commandLineIndicators: [indicator] }), context)]).toEqual([
      { rule: null, reasons: [{ kind: "lineage", text: "Runs from a user-writable folder: evil.exe runs from C:\\Users\\bob\\Downloads\\evil.exe", eventIds: [creation.id] }] },
      { rule: null, reasons: [{ kind: "command-line", text: "Command line: Hidden window (-WindowStyle Hidden)", eventIds: [creation.id] }] },
    ]);
  });

  it("clock: the events placed by the collector's clock, and how early Sysmon dated them", () => {
    const placed = connection("2024-01-01T10:00:02Z", 4444, { clockCorrectedFrom: "2023-12-29T10:00:02.0000000Z" });
    expect(clock(candidate({ connections: [placed, connection("2024-01-01T10:01:02Z")] }), context)).toEqual({
      rule: null,
      reasons: [
        {
          kind: "clock",
          text: "Clock: Sysmon dated 1 of its events before its own process was created (up to 72.0 h early); they are placed by the collector's time, less this host's offset for process creations.",
          eventIds: [placed.id],
        },
      ],
    });
    expect(clock(candidate({}), context)).toBeNull();
  });

  it("openssl then network: a network tool's first connection within the window after an openssl run", () => {
    const run = event("process", "2024-01-01T10:00:00Z", { fileName: "openssl", processCommandLine: "openssl enc -aes-256-cbc -in a -out b" });
    const nc = { ...candidate({ connections: [connection("2024-01-01T10:00:01.5Z")], opensslRuns: [run] }) };
    nc.identity = { ...nc.identity, processName: "nc" };
    expect(opensslThenNetwork(nc, context)).toEqual({
      rule: "openssl-then-network",
      reasons: [{ kind: "openssl-then-network", text: "openssl enc -aes-256-cbc -in a -out b ran 1.500 s before nc connected to 198.51.100.7:4444.", eventIds: [run.id, nc.connections[0].id] }],
    });
    expect(opensslThenNetwork({ ...nc, opensslRuns: [] }, context)).toBeNull();
  });
});
