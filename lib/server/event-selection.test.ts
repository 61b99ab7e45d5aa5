/**
 * Integration: detection reads only what it uses, chosen in SQLite (see detection-selection):
 * crypto loads in the lookback, the connections of candidate processes only, and the process
 * creations of candidates, their parents and openssl. Both modes find exactly what they find
 * over every stored event. Real SQLite file, real ingest.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "../testing/throwaway-database";
import { runDefaultDetection } from "../detection/default-detection";
import { detectionSelection } from "../detection/detection-selection";
import { DEFAULT_DETECTION_SETTINGS } from "../detection/detection-settings";
import { runSeedQuery } from "../detection/seed-kql-query";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";

useThrowawayDatabase("selection");

let store: typeof import("./event-store");
let db: typeof import("./db");

const HEADER = "Timestamp,DeviceName,ActionType,FileName,ProcessId,ProcessCommandLine,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
const load = (time: string, file: string, pid: number, image: string) => `2024-05-01T${time}Z,ws-1,ImageLoaded,${file},,,${pid},${image},,,`;
const connect = (time: string, pid: number, image: string, ip: string, port: number, type = "Public", action = "ConnectionSuccess") =>
  `2024-05-01T${time}Z,ws-1,${action},,,,${pid},${image},${ip},${port},${type}`;
const create = (time: string, file: string, pid: number, parentPid: number, parent: string, commandLine = "") => `${time},ws-1,ProcessCreated,${file},${pid},${commandLine},${parentPid},${parent},,,`;

const CSV = [
  HEADER,
  "2024-04-30T23:00:00Z,ws-1,ImageLoaded,bcrypt.dll,,,7,a.exe,,,", // before the lookback: not read
  "2024-05-02T00:00:01Z,ws-1,ImageLoaded,bcrypt.dll,,,7,a.exe,,,", // after the as-of time: not read
  load("10:00:00", "BCRYPT.DLL", 7, "a.exe"), // a crypto load (any case): a.exe (7) is a candidate
  load("10:00:01", "kernel32.dll", 7, "a.exe"), // not a crypto library
  load("10:00:02", "bcrypt\u0130.dll", 7, "a.exe"), // non-ASCII: left to detection's own check
  connect("10:00:03", 7, "a.exe", "198.51.100.7", 4444),
  connect("10:00:04", 7, "a.exe", "198.51.100.7", 4444, "Public", "ConnectionFailed"), // not a success
  connect("10:00:05", 7, "a.exe", "10.0.0.5", 4444, "Private"), // a class neither mode scores outside lab mode
  connect("10:00:06", 7, "a.exe", "::ffff:8.8.4.4", 4444, "FourToSixMapping"), // classified by its address
  ...["10:01:00", "10:02:00", "10:03:00", "10:04:00"].map((time) => connect(time, 9, "b.exe", "203.0.113.9", 8080)), // a series of 4: b.exe (9)
  ...["10:01:30", "10:02:30", "10:03:30"].map((time) => connect(time, 11, "chrome.exe", "203.0.113.11", 443)), // 3: too short, no load
  connect("10:06:00", 13, "curl.exe", "203.0.113.13", 443), // a network tool: curl.exe (13)
  ...[1, 2, 3, 4].map((minute) => connect(`10:1${minute}:00`, 15, "r.exe", "203.0.113.15", 5000 + minute)), // one address, a port each: r.exe (15)
  create("2024-05-01T09:00:00Z", "a.exe", 7, 5, "explorer.exe"), // a candidate's creation
  create("2024-05-01T08:00:00Z", "explorer.exe", 5, 3, "userinit.exe"), // its parent's
  create("2024-05-01T07:00:00Z", "userinit.exe", 3, 1, "winlogon.exe"), // a grandparent: not read
  create("2024-05-01T10:05:00Z", "openssl.exe", 20, 5, "explorer.exe", "openssl enc -aes-256-cbc -in a -out b"), // every openssl run
  create("2024-05-01T09:40:00Z", "chrome.exe", 11, 5, "explorer.exe"), // not a candidate
  create("2024-04-30T22:00:00Z", "b.exe", 9, 5, "explorer.exe"), // older than the lookback, still a candidate's creation
].join("\n");

const AS_OF_US = parseIsoTimestamp("2024-05-02T00:00:00Z")!.us;
const SETTINGS = { ...DEFAULT_DETECTION_SETTINGS, beaconMinConnections: 4 };
const LISTS = { cryptoLibraries: ["bcrypt.dll"], excludedSystemProcesses: [], excludedBrowsers: [], standardPorts: [443] };
const SELECTION = detectionSelection(LISTS, SETTINGS, AS_OF_US);

beforeAll(async () => {
  store = await import("./event-store");
  db = await import("./db");
  const ingest = await import("./ingest-upload");
  const result = await ingest.ingestTelemetryText("mixed.csv", CSV, "cli:test");
  expect([result.accepted, result.rejected]).toEqual([27, 0]);
}, 60_000);


const read = (maxEvents?: number) =>
  [...store.completeEventsByDevice(SELECTION, { maxEvents })].map((device) =>
    "events" in device ? device.events.map((event) => event.fileName ?? `${event.initiatingProcessFileName} ${event.remoteIp}`) : device.skippedEvents,
  );

const SELECTED = [
  "b.exe",
  "explorer.exe",
  "a.exe",
  "BCRYPT.DLL",
  "bcrypt\u0130.dll",
  "a.exe 198.51.100.7",
  "a.exe ::ffff:8.8.4.4",
  "b.exe 203.0.113.9",
  "b.exe 203.0.113.9",
  "b.exe 203.0.113.9",
  "b.exe 203.0.113.9",
  "openssl.exe",
  "curl.exe 203.0.113.13",
  "r.exe 203.0.113.15",
  "r.exe 203.0.113.15",
  "r.exe 203.0.113.15",
  "r.exe 203.0.113.15",
];

describe("completeEventsByDevice with detection's selection", () => {
  it("reads crypto loads, candidates' connections and the creations lineage and the openssl rule use", () => {
    expect(read()).toEqual([SELECTED]);
  });

  it("finds exactly what both modes find over every stored event", () => {
    const [selected] = [...store.completeEventsByDevice(SELECTION)];
    const all = store.eventsByIds(Array.from({ length: 27 }, (_, index) => index + 1));
    expect(all).toHaveLength(27);
    const events = "events" in selected ? selected.events : [];
    const defaultFindings = (from: typeof events) => runDefaultDetection(from, { asOfUs: AS_OF_US, lists: LISTS, settings: SETTINGS });
    expect(defaultFindings(events).map((finding) => [finding.process.processName, finding.rules])).toEqual([
      ["curl.exe", ["openssl-then-network"]],
      ["b.exe", ["beacon-only"]],
      ["r.exe", ["beacon-only"]],
      ["a.exe", ["crypto-load-then-connect"]],
    ]);
    expect(defaultFindings(events)).toEqual(defaultFindings(all));
    const seedRows = (from: typeof events) => runSeedQuery(from, { asOfUs: AS_OF_US, lists: LISTS });
    expect(seedRows(events).map((finding) => finding.row.ProcessName)).toEqual(["a.exe"]);
    expect(seedRows(events)).toEqual(seedRows(all));
  });

  it("budgets a device by what it would read, not by all it stores", () => {
    // 27 stored, 17 selected: a budget of 22 reads it (27 would not fit, and the texts cost a little more
    // than 17), 16 skips it and says 17.
    expect(read(22)).toEqual([SELECTED]);
    expect(read(16)).toEqual([17]);
  });
});
