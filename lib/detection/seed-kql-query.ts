/**
 * The seed Sentinel rule (../shared/seeds/000_*.txt) reproduced row for row, with Kusto's
 * semantics, flaws included: this is the parity mode analysts compare against Sentinel.
 *
 * Pure: the "as of" instant that anchors `ago(24h)` and the tuning lists are arguments.
 */
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { MICROS_PER_HOUR, MICROS_PER_MINUTE } from "../telemetry/iso-timestamp";
import type { DetectionLists } from "./detection-lists";
import { caseInsensitiveSet, datetimeDiffMinutes, kustoRound, sumKnown } from "./kusto-functions";

export const LOOKBACK_US = 24 * MICROS_PER_HOUR;
export const CORRELATION_WINDOW_US = 15 * MICROS_PER_MINUTE;

/** One output row, with the query's own column names. */
export interface SeedQueryRow {
  DeviceName: string;
  ProcessName: string;
  ProcessCmd: string;
  AccountName: string;
  ProcessSHA256: string;
  CryptoLibsLoaded: string[];
  RemoteIPs: string[];
  RemotePorts: number[];
  ConnectionCount: number;
  TotalBytesSent: number | null;
  TotalBytesReceived: number | null;
  FirstConnection: string;
  LastConnection: string;
  DataTransferMB: number | null;
  DurationMinutes: number;
  AvgIntervalSeconds: number;
  BeaconLikely: boolean;
}

export interface EvidenceLoad {
  eventId: number | null;
  timestamp: string;
  timeUs: number;
  processId: number;
  cryptoLib: string;
}

export interface EvidenceConnection {
  eventId: number | null;
  timestamp: string;
  timeUs: number;
  processId: number;
  remoteIp: string;
  remotePort: number;
  sentBytes: number | null;
  receivedBytes: number | null;
  /** How many (load, connection) pairs of the join this connection appears in. */
  joinedPairs: number;
}

export interface SeedQueryFinding {
  row: SeedQueryRow;
  /** The distinct loads and connections behind the row, in time order. */
  loads: EvidenceLoad[];
  connections: EvidenceConnection[];
}

export interface SeedQueryOptions {
  /** The instant `ago()` counts back from, in epoch microseconds. */
  asOfUs: number;
  lists: DetectionLists;
}

interface JoinedPair {
  load: TelemetryEvent;
  connection: TelemetryEvent;
}

export function runSeedQuery(events: readonly TelemetryEvent[], options: SeedQueryOptions): SeedQueryFinding[] {
  const lookbackStartUs = options.asOfUs - LOOKBACK_US;
  const cryptoLibraries = caseInsensitiveSet(options.lists.cryptoLibraries);
  const excludedProcesses = caseInsensitiveSet([
    ...options.lists.excludedSystemProcesses,
    ...options.lists.excludedBrowsers,
  ]);
  const standardPorts = new Set(options.lists.standardPorts);

  // Step 1: crypto library loads by processes not excluded (`in~` is case-insensitive).
  const cryptoLoaders = events.filter(
    (event) =>
      event.kind === "image_load" &&
      event.timeUs > lookbackStartUs &&
      cryptoLibraries.has(event.fileName) &&
      !excludedProcesses.has(event.initiatingProcessFileName),
  );

  // Step 2: successful outbound connections to public IPs on non-standard ports (`==` is case-sensitive).
  const connectionsByProcess = new Map<string, TelemetryEvent[]>();
  for (const event of events) {
    if (
      event.kind === "network" &&
      event.timeUs > lookbackStartUs &&
      event.actionType === "ConnectionSuccess" &&
      event.remoteIpType === "Public" &&
      event.remotePort !== null &&
      !standardPorts.has(event.remotePort)
    ) {
      const key = joinKey(event);
      if (key === null) continue;
      const list = connectionsByProcess.get(key) ?? [];
      list.push(event);
      connectionsByProcess.set(key, list);
    }
  }

  // Step 3: inner join on DeviceName + PID, keeping every (load, connection) pair whose
  // connection falls in [load, load + 15m] (`between` includes both ends).
  const pairsByGroup = new Map<string, JoinedPair[]>();
  for (const load of cryptoLoaders) {
    const key = joinKey(load);
    if (key === null) continue;
    for (const connection of connectionsByProcess.get(key) ?? []) {
      if (connection.timeUs < load.timeUs || connection.timeUs > load.timeUs + CORRELATION_WINDOW_US) continue;
      const groupKey = JSON.stringify(groupColumns(load));
      const pairs = pairsByGroup.get(groupKey) ?? [];
      pairs.push({ load, connection });
      pairsByGroup.set(groupKey, pairs);
    }
  }

  const findings = [...pairsByGroup.values()].map(summarizeGroup);
  return findings.sort(compareSeedFindings);
}

/**
 * `sort by ConnectionCount desc`; Kusto leaves ties unordered, we break them by name for stable
 * output. Exported so stored findings are ranked in the same order when a run ends.
 */
export type SeedFindingRank = Pick<SeedQueryRow, "ConnectionCount" | "DeviceName" | "ProcessName" | "ProcessCmd">;

export function compareSeedFindings(a: { row: SeedFindingRank }, b: { row: SeedFindingRank }): number {
  return (
    b.row.ConnectionCount - a.row.ConnectionCount ||
    a.row.DeviceName.localeCompare(b.row.DeviceName) ||
    a.row.ProcessName.localeCompare(b.row.ProcessName) ||
    a.row.ProcessCmd.localeCompare(b.row.ProcessCmd)
  );
}

/** Device name + process id; Kusto joins never match on an empty key. */
function joinKey(event: TelemetryEvent): string | null {
  if (event.initiatingProcessId === null) return null;
  return `${event.deviceName}\u0000${event.initiatingProcessId}`;
}

/** The `summarize ... by` columns; Kusto strings are never null, so missing values group as "". */
function groupColumns(load: TelemetryEvent) {
  return {
    DeviceName: load.deviceName,
    ProcessName: load.initiatingProcessFileName ?? "",
    ProcessCmd: load.initiatingProcessCommandLine ?? "",
    AccountName: load.initiatingProcessAccountName ?? "",
    ProcessSHA256: load.initiatingProcessSHA256 ?? "",
  };
}

function summarizeGroup(pairs: JoinedPair[]): SeedQueryFinding {
  const connectionsInPairs = pairs.map((pair) => pair.connection);
  const first = minBy(connectionsInPairs, (event) => event.timeUs);
  const last = maxBy(connectionsInPairs, (event) => event.timeUs);
  const connectionCount = pairs.length;
  const totalBytesSent = sumKnown(connectionsInPairs.map((event) => event.sentBytes));
  const totalBytesReceived = sumKnown(connectionsInPairs.map((event) => event.receivedBytes));
  const durationMinutes = datetimeDiffMinutes(last.timeUs, first.timeUs);
  const avgIntervalSeconds = connectionCount > 1 ? (durationMinutes * 60) / (connectionCount - 1) : 0.0;
  const totalBytes = totalBytesSent === null || totalBytesReceived === null ? null : totalBytesSent + totalBytesReceived;

  const row: SeedQueryRow = {
    ...groupColumns(pairs[0].load),
    CryptoLibsLoaded: distinct(pairs.map((pair) => pair.load.fileName ?? "")),
    RemoteIPs: distinct(connectionsInPairs.map((event) => event.remoteIp ?? "")),
    RemotePorts: distinct(connectionsInPairs.map((event) => event.remotePort as number)),
    ConnectionCount: connectionCount,
    TotalBytesSent: totalBytesSent,
    TotalBytesReceived: totalBytesReceived,
    FirstConnection: first.timestamp,
    LastConnection: last.timestamp,
    DataTransferMB: kustoRound(totalBytes === null ? null : totalBytes / 1048576, 2),
    DurationMinutes: durationMinutes,
    AvgIntervalSeconds: avgIntervalSeconds,
    BeaconLikely: avgIntervalSeconds >= 30.0 && avgIntervalSeconds <= 3600.0 && connectionCount >= 5,
  };
  return { row, loads: evidenceLoads(pairs), connections: evidenceConnections(pairs) };
}

function evidenceLoads(pairs: JoinedPair[]): EvidenceLoad[] {
  const loads = distinctEvents(pairs.map((pair) => pair.load));
  return loads.map((load) => ({
    eventId: load.id ?? null,
    timestamp: load.timestamp,
    timeUs: load.timeUs,
    processId: load.initiatingProcessId as number,
    cryptoLib: load.fileName ?? "",
  }));
}

function evidenceConnections(pairs: JoinedPair[]): EvidenceConnection[] {
  const pairCounts = new Map<TelemetryEvent, number>();
  for (const { connection } of pairs) pairCounts.set(connection, (pairCounts.get(connection) ?? 0) + 1);
  return distinctEvents([...pairCounts.keys()]).map((connection) => ({
    eventId: connection.id ?? null,
    timestamp: connection.timestamp,
    timeUs: connection.timeUs,
    processId: connection.initiatingProcessId as number,
    remoteIp: connection.remoteIp ?? "",
    remotePort: connection.remotePort as number,
    sentBytes: connection.sentBytes,
    receivedBytes: connection.receivedBytes,
    joinedPairs: pairCounts.get(connection) ?? 0,
  }));
}

function distinctEvents(events: TelemetryEvent[]): TelemetryEvent[] {
  return [...new Set(events)].sort((a, b) => a.timeUs - b.timeUs);
}

/** `make_set`: distinct values in order of first appearance. */
function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function minBy<T>(items: T[], key: (item: T) => number): T {
  return items.reduce((best, item) => (key(item) < key(best) ? item : best));
}

function maxBy<T>(items: T[], key: (item: T) => number): T {
  return items.reduce((best, item) => (key(item) > key(best) ? item : best));
}

/** The default "as of" instant: the newest event (uploaded exports are historical). */
export function newestEventUs(events: readonly TelemetryEvent[]): number | null {
  let newest: number | null = null;
  for (const event of events) if (newest === null || event.timeUs > newest) newest = event.timeUs;
  return newest;
}
