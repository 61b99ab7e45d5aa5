/**
 * The seed Sentinel rule (../shared/seeds/000_*.txt) reproduced row for row, with Kusto's
 * semantics, flaws included: this is the parity mode analysts compare against Sentinel.
 *
 * Pure: the "as of" instant that anchors `ago(24h)` and the tuning lists are arguments.
 */
import type { DetectionEvent } from "./detection-event";
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

/** An event with its index in the query's input, which fixes the order Kusto emits join pairs in, and its time in ticks. */
interface PositionedEvent {
  event: DetectionEvent;
  position: number;
  /** 100 ns ticks after the lookback's start (see ticksAfter). */
  ticks: number;
}

const TICKS_PER_MICROSECOND = 10;
const CORRELATION_WINDOW_TICKS = CORRELATION_WINDOW_US * TICKS_PER_MICROSECOND;

/**
 * An event's time in 100 ns ticks after `baseUs`, Kusto's datetime resolution: timeUs drops the
 * seventh fractional digit, which the stored text keeps (always seven digits). Counted from the
 * lookback's start, a day holds 8.64e11 ticks: exact in a double.
 */
function ticksAfter(event: DetectionEvent, baseUs: number): number {
  const seventhDigit = event.timestamp.length === 28 ? event.timestamp.charCodeAt(26) - 48 : 0;
  return (event.timeUs - baseUs) * TICKS_PER_MICROSECOND + (seventhDigit >= 0 && seventhDigit <= 9 ? seventhDigit : 0);
}

/**
 * Where a connection first appears in the join's output, which lists pairs load by load in input
 * order, each load's connections in input order. `make_set` order and equal-time ties follow it.
 */
interface PairOrder {
  loadPosition: number;
  connectionPosition: number;
}

/** One `summarize` group's loads that have at least one pair, in input order and by join key. */
interface JoinedGroup {
  loads: DetectionEvent[];
  loadsByJoinKey: Map<string, PositionedEvent[]>;
}

export function runSeedQuery(events: readonly DetectionEvent[], options: SeedQueryOptions): SeedQueryFinding[] {
  const lookbackStartUs = options.asOfUs - LOOKBACK_US;
  // Kusto run at the as-of instant sees `Timestamp > ago(24h)` and nothing later than now.
  const visible = (event: DetectionEvent) => event.timeUs > lookbackStartUs && event.timeUs <= options.asOfUs;
  const cryptoLibraries = caseInsensitiveSet(options.lists.cryptoLibraries);
  const excludedProcesses = caseInsensitiveSet([
    ...options.lists.excludedSystemProcesses,
    ...options.lists.excludedBrowsers,
  ]);
  const standardPorts = new Set(options.lists.standardPorts);

  // Step 1: crypto library loads by processes not excluded (`in~` is case-insensitive).
  const cryptoLoaders: PositionedEvent[] = [];
  // Step 2: successful outbound connections to public IPs on non-standard ports (`==` is case-sensitive).
  const connectionsByJoinKey = new Map<string, PositionedEvent[]>();
  for (let position = 0; position < events.length; position++) {
    const event = events[position];
    if (
      event.kind === "image_load" &&
      visible(event) &&
      cryptoLibraries.has(event.fileName) &&
      !excludedProcesses.has(event.initiatingProcessFileName)
    ) {
      cryptoLoaders.push({ event, position, ticks: ticksAfter(event, lookbackStartUs) });
    } else if (
      event.kind === "network" &&
      visible(event) &&
      event.actionType === "ConnectionSuccess" &&
      event.remoteIpType === "Public" &&
      event.remotePort !== null &&
      !standardPorts.has(event.remotePort)
    ) {
      const key = joinKey(event);
      if (key === null) continue;
      const list = connectionsByJoinKey.get(key) ?? [];
      list.push({ event, position, ticks: ticksAfter(event, lookbackStartUs) });
      connectionsByJoinKey.set(key, list);
    }
  }
  // Stable, so equal times keep input order.
  for (const connections of connectionsByJoinKey.values()) connections.sort(byTime);

  // Step 3: inner join on DeviceName + PID where the connection falls in [load, load + 15m]
  // (`between` includes both ends), then summarize. One busy process can make millions of pairs,
  // so no pair is built: each group is aggregated from time-sorted loads and connections.
  // Groups are created in the order of their first pair, as today, so ties in the final sort keep that order.
  const groups = new Map<string, JoinedGroup>();
  for (const load of cryptoLoaders) {
    const key = joinKey(load.event);
    if (key === null) continue;
    const connections = connectionsByJoinKey.get(key);
    if (connections === undefined || !hasConnectionInWindow(load, connections)) continue;
    const groupKey = JSON.stringify(groupColumns(load.event));
    const group = groups.get(groupKey) ?? { loads: [], loadsByJoinKey: new Map<string, PositionedEvent[]>() };
    groups.set(groupKey, group);
    group.loads.push(load.event);
    const loadsOfProcess = group.loadsByJoinKey.get(key) ?? [];
    loadsOfProcess.push(load);
    group.loadsByJoinKey.set(key, loadsOfProcess);
  }

  const findings = [...groups.values()].map((group) => summarizeGroup(group, connectionsByJoinKey));
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
function joinKey(event: DetectionEvent): string | null {
  if (event.initiatingProcessId === null) return null;
  return `${event.deviceName}\u0000${event.initiatingProcessId}`;
}

/** The `summarize ... by` columns; Kusto strings are never null, so missing values group as "". */
function groupColumns(load: DetectionEvent) {
  return {
    DeviceName: load.deviceName,
    ProcessName: load.initiatingProcessFileName ?? "",
    ProcessCmd: load.initiatingProcessCommandLine ?? "",
    AccountName: load.initiatingProcessAccountName ?? "",
    ProcessSHA256: load.initiatingProcessSHA256 ?? "",
  };
}

function byTime(a: PositionedEvent, b: PositionedEvent): number {
  return a.ticks - b.ticks;
}

/** Whether any of the process's time-sorted connections falls in the load's window. */
function hasConnectionInWindow(load: PositionedEvent, connections: readonly PositionedEvent[]): boolean {
  const next = firstAtOrAfter(connections, load.ticks, 0);
  return next < connections.length && connections[next].ticks <= load.ticks + CORRELATION_WINDOW_TICKS;
}

/** Binary search: the first index from `from` whose event is at or after `ticks` (length if none). */
function firstAtOrAfter(sorted: readonly PositionedEvent[], ticks: number, from: number): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle].ticks < ticks) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Calls `visit` once per connection that at least one load's window [load, load + 15m] covers,
 * with the number of covering loads (its pairs) and the earliest input position among them.
 * Both lists are time-sorted, so the covering loads are a range sliding forward: two pointers,
 * a monotonic queue for the earliest position, and a binary search to skip connections no load
 * covers. O(loads * log(connections) + covered connections).
 */
function forEachCoveredConnection(
  loads: readonly PositionedEvent[],
  connections: readonly PositionedEvent[],
  visit: (connection: PositionedEvent, pairs: number, firstLoadPosition: number) => void,
): void {
  let windowStart = 0; // first load whose window has not closed before the connection
  let windowEnd = 0; // first load after the connection
  // Indexes of loads in the window whose position no later load in the window undercuts.
  const earliestCandidates: number[] = [];
  let candidatesHead = 0;
  let index = 0;
  while (index < connections.length) {
    const { ticks } = connections[index];
    while (windowEnd < loads.length && loads[windowEnd].ticks <= ticks) {
      const position = loads[windowEnd].position;
      while (
        earliestCandidates.length > candidatesHead &&
        loads[earliestCandidates[earliestCandidates.length - 1]].position >= position
      ) {
        earliestCandidates.pop();
      }
      earliestCandidates.push(windowEnd);
      windowEnd++;
    }
    while (windowStart < windowEnd && loads[windowStart].ticks + CORRELATION_WINDOW_TICKS < ticks) windowStart++;
    while (candidatesHead < earliestCandidates.length && earliestCandidates[candidatesHead] < windowStart) candidatesHead++;
    if (windowStart === windowEnd) {
      if (windowEnd === loads.length) return;
      index = firstAtOrAfter(connections, loads[windowEnd].ticks, index + 1);
      continue;
    }
    visit(connections[index], windowEnd - windowStart, loads[earliestCandidates[candidatesHead]].position);
    index++;
  }
}

/** A connection some load of the group covers: its pairs and where the first of them is in pair order. */
interface CoveredConnection {
  event: DetectionEvent;
  ticks: number;
  pairs: number;
  order: PairOrder;
}

function summarizeGroup(group: JoinedGroup, connectionsByJoinKey: ReadonlyMap<string, PositionedEvent[]>): SeedQueryFinding {
  const covered: CoveredConnection[] = [];
  for (const [key, loads] of group.loadsByJoinKey) {
    const loadsByTime = [...loads].sort(byTime);
    forEachCoveredConnection(loadsByTime, connectionsByJoinKey.get(key) ?? [], ({ event, position, ticks }, pairs, firstLoadPosition) =>
      covered.push({ event, ticks, pairs, order: { loadPosition: firstLoadPosition, connectionPosition: position } }),
    );
  }

  // Every group has a load with a pair, so `covered` is not empty.
  // min() and max() keep the first of equal times in pair order.
  const first = covered.reduce((best, item) => (compareTimeThenPairOrder(item, best) < 0 ? item : best)).event;
  const last = covered.reduce((best, item) =>
    item.ticks > best.ticks || (item.ticks === best.ticks && comparePairOrder(item.order, best.order) < 0)
      ? item
      : best,
  ).event;
  const connectionCount = covered.reduce((count, item) => count + item.pairs, 0);
  // `sum` over the pairs counts a connection's bytes once per load covering it.
  const totalBytesSent = sumKnown(covered.map(({ event, pairs }) => (event.sentBytes === null ? null : pairs * event.sentBytes)));
  const totalBytesReceived = sumKnown(
    covered.map(({ event, pairs }) => (event.receivedBytes === null ? null : pairs * event.receivedBytes)),
  );
  const durationMinutes = datetimeDiffMinutes(last.timeUs, first.timeUs);
  const avgIntervalSeconds = connectionCount > 1 ? (durationMinutes * 60) / (connectionCount - 1) : 0.0;
  const totalBytes = totalBytesSent === null || totalBytesReceived === null ? null : totalBytesSent + totalBytesReceived;

  const row: SeedQueryRow = {
    ...groupColumns(group.loads[0]),
    CryptoLibsLoaded: distinct(group.loads.map((load) => load.fileName ?? "")),
    RemoteIPs: distinctInPairOrder(covered, (event) => event.remoteIp ?? ""),
    RemotePorts: distinctInPairOrder(covered, (event) => event.remotePort as number),
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
  return { row, loads: evidenceLoads(group.loads), connections: evidenceConnections(covered) };
}

function comparePairOrder(a: PairOrder, b: PairOrder): number {
  return a.loadPosition - b.loadPosition || a.connectionPosition - b.connectionPosition;
}

function compareTimeThenPairOrder(a: CoveredConnection, b: CoveredConnection): number {
  return a.ticks - b.ticks || comparePairOrder(a.order, b.order);
}

/** `make_set`: distinct values in order of first appearance among the pairs. */
function distinctInPairOrder<T>(covered: readonly CoveredConnection[], value: (event: DetectionEvent) => T): T[] {
  const firstAppearance = new Map<T, PairOrder>();
  for (const { event, order } of covered) {
    const seen = firstAppearance.get(value(event));
    if (seen === undefined || comparePairOrder(order, seen) < 0) firstAppearance.set(value(event), order);
  }
  return [...firstAppearance].sort(([, a], [, b]) => comparePairOrder(a, b)).map(([distinctValue]) => distinctValue);
}

function evidenceLoads(pairedLoads: DetectionEvent[]): EvidenceLoad[] {
  // Stable sort of the distinct loads in pair order: equal times stay in input order.
  const loads = [...new Set(pairedLoads)].sort((a, b) => a.timeUs - b.timeUs);
  return loads.map((load) => ({
    eventId: load.id ?? null,
    timestamp: load.timestamp,
    timeUs: load.timeUs,
    processId: load.initiatingProcessId as number,
    cryptoLib: load.fileName ?? "",
  }));
}

function evidenceConnections(covered: readonly CoveredConnection[]): EvidenceConnection[] {
  // The same event object listed twice in the input is one piece of evidence with both its pair counts.
  const byEvent = new Map<DetectionEvent, CoveredConnection>();
  for (const item of covered) {
    const seen = byEvent.get(item.event);
    byEvent.set(item.event, {
      event: item.event,
      ticks: item.ticks,
      pairs: (seen?.pairs ?? 0) + item.pairs,
      order: seen === undefined || comparePairOrder(item.order, seen.order) < 0 ? item.order : seen.order,
    });
  }
  // Time order; equal times in order of first appearance among the pairs.
  return [...byEvent.values()].sort(compareTimeThenPairOrder).map(({ event: connection, pairs }) => ({
    eventId: connection.id ?? null,
    timestamp: connection.timestamp,
    timeUs: connection.timeUs,
    processId: connection.initiatingProcessId as number,
    remoteIp: connection.remoteIp ?? "",
    remotePort: connection.remotePort as number,
    sentBytes: connection.sentBytes,
    receivedBytes: connection.receivedBytes,
    joinedPairs: pairs,
  }));
}

/** `make_set`: distinct values in order of first appearance. */
function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** The default "as of" instant: the newest event (uploaded exports are historical). */
export function newestEventUs(events: readonly DetectionEvent[]): number | null {
  let newest: number | null = null;
  for (const event of events) if (newest === null || event.timeUs > newest) newest = event.timeUs;
  return newest;
}
