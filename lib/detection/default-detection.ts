/**
 * The default detection mode: the seed query's idea with its flaws fixed, plus rules for what
 * its own test plan exercises and it cannot see.
 *
 * - A process is device + PID + creation time (PIDs are reused), not device + PID.
 * - Each connection counts once, however many crypto DLLs were loaded.
 * - Intervals come from real timestamps, never whole minutes.
 * - The load-then-connect correlation only qualifies a process; its beaconing is scored over
 *   all of its outbound connections in the lookback (RITA-style, per destination).
 *
 * Pure: events, lists, settings and the as-of instant are arguments.
 */
import { remoteAddressClass } from "../telemetry/classify-remote-address";
import { MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, parseIsoTimestamp } from "../telemetry/iso-timestamp";
import type { DetectionEvent } from "./detection-event";
import type { BeaconScore } from "./beacon-score";
import { addressSeries, scoreConnectionSeries } from "./connection-series";
import { findCommandLineIndicators, type CommandLineIndicator } from "./command-line-indicators";
import type { DetectionLists } from "./detection-lists";
import type { DetectionSettings } from "./detection-settings";
import { countLeading } from "./count-leading";
import { correlatedConnections, cryptoLibrariesLoaded } from "./evidence/crypto-load-then-connect";
import type { CandidateProcess, DestinationSeries } from "./evidence/evidence-module";
import { EVIDENCE_MODULES } from "./evidence/evidence-registry";
import { OPENSSL_NAMES } from "./evidence/openssl-then-network";
import { caseInsensitiveSet, sumKnown } from "./kusto-functions";
import { isOpensslEncryption } from "./openssl-encryption";
import { assessLineage, type LineageFlag, type LineageProcess } from "./process-lineage";
import { binaryPrevalenceKey, destinationPrevalenceKey, type FleetPrevalence } from "./fleet-prevalence";
import { CONFIDENCE_ORDER, rateSeverity, SEVERITY_ORDER, type Confidence, type Severity, type SeverityRating } from "./severity-model";

export type RuleId = "crypto-load-then-connect" | "suspicious-image-load-then-connect" | "beacon-only" | "openssl-then-network" | "short-beacon";

export const RULE_LABELS: Record<RuleId, string> = {
  "crypto-load-then-connect": "Crypto DLL load, then outbound connection on a non-standard port",
  "suspicious-image-load-then-connect": "Crypto DLL load, then outbound connection on any port, from an image with suspicious lineage, name or a staging folder",
  "beacon-only": "Strong beacon from a non-browser process (no DLL load needed)",
  "openssl-then-network": "openssl encryption followed by a network tool connecting out",
  "short-beacon": "Short regular beacon on a non-standard port from a process with suspicious lineage or location",
};

/**
 * The periodicity RITA's combined score needs beside it to make a strong beacon, over a long series:
 * halfway from random arrivals (0) to clockwork (1). Jitter of up to +/-50% keeps a beacon at 1
 * (see periodicityScore).
 */
export const MIN_BEACON_PERIODICITY = 0.5;

/**
 * Few intervals measure periodicity roughly: random arrivals at 12 to 30 a day reach 0.5 on about
 * 5% of days (simulated), 0.8 on under 0.5%, while a beacon of 10 beats a day jittered by 25%
 * stays above 0.82 on 95% of days. So a series of up to SHORT_SERIES_INTERVALS intervals needs
 * SHORT_SERIES_PERIODICITY, easing linearly to MIN_BEACON_PERIODICITY at LONG_SERIES_INTERVALS.
 */
const SHORT_SERIES_INTERVALS = 30;
const LONG_SERIES_INTERVALS = 100;
const SHORT_SERIES_PERIODICITY = 0.8;

/** The periodicity a series of `distinctTimestamps` needs beside RITA's combined score (see above). */
export function requiredBeaconPeriodicity(distinctTimestamps: number): number {
  const intervals = distinctTimestamps - 1;
  const shortness = Math.min(Math.max((LONG_SERIES_INTERVALS - intervals) / (LONG_SERIES_INTERVALS - SHORT_SERIES_INTERVALS), 0), 1);
  return MIN_BEACON_PERIODICITY + (SHORT_SERIES_PERIODICITY - MIN_BEACON_PERIODICITY) * shortness;
}

export interface ProcessIdentity {
  deviceName: string;
  deviceId: string | null;
  processName: string;
  processId: number;
  /** Defender's InitiatingProcessCreationTime; null when the source lacks it. */
  processCreationTime: string | null;
  /** Sysmon's ProcessGuid: when present it alone identifies the process on its device. */
  processGuid: string | null;
  /** Its command line: the events' own, else its creation event's (Sysmon's events 3 and 7 carry none). */
  commandLine: string;
  /** The command line its events carry (InitiatingProcessCommandLine), which the seed query groups by. */
  eventCommandLine: string;
  accountName: string;
  sha256: string;
  folderPath: string | null;
}

export interface RelatedProcess {
  fileName: string;
  processId: number | null;
  commandLine: string | null;
}

export interface FindingReason {
  kind: RuleId | "beacon" | "command-line" | "lineage" | "clock";
  text: string;
  /** The stored events behind the reason (capped; pages show them in time order). */
  eventIds: number[];
}

export interface DestinationSummary {
  remoteIp: string;
  remotePort: number;
  addressClass: string;
  /** The host names its connections named (RemoteUrl), lower-case, each once, and how many named none: what a domain suppression matches. */
  remoteDomains: string[];
  unnamedConnections: number;
  connections: number;
  firstConnection: string;
  lastConnection: string;
  bytesSent: number | null;
  bytesReceived: number | null;
  beacon: BeaconScore;
}

export interface DefaultEvidenceLoad {
  eventId: number | null;
  timestamp: string;
  timeUs: number;
  cryptoLib: string;
}

export interface DefaultEvidenceConnection {
  eventId: number | null;
  timestamp: string;
  timeUs: number;
  remoteIp: string;
  remotePort: number;
  sentBytes: number | null;
  receivedBytes: number | null;
  /** Whether the seed query's 15-minute window after a crypto load would see it. */
  inSeedWindow: boolean;
  /** A failed attempt (ConnectionFailed), counted in lab mode only. */
  failed: boolean;
}

export interface DefaultFinding {
  /** Stable key of the process identity. */
  key: string;
  process: ProcessIdentity;
  parent: RelatedProcess | null;
  grandparent: RelatedProcess | null;
  rules: RuleId[];
  severity: Severity;
  confidence: Confidence;
  /** How the evidence added up to the severity, step by step (see severity-model). */
  severityBasis: string[];
  /** The fleet's counts it was rated with: null from detection itself, set when its run ends (see withFleetPrevalence). */
  prevalence: FleetPrevalence | null;
  reasons: FindingReason[];
  cryptoLibsLoaded: string[];
  commandLineIndicators: CommandLineIndicator[];
  lineageFlags: LineageFlag[];
  connections: {
    count: number;
    /** Distinct connections the seed query's windows would summarise (public, non-standard port, within the window of a load). */
    inSeedWindow: number;
    /** How many of them were failed attempts (lab mode counts those). */
    failedAttempts: number;
    firstConnection: string;
    lastConnection: string;
    bytesSent: number | null;
    bytesReceived: number | null;
    destinations: DestinationSummary[];
  };
  /**
   * The series that made the process a strong beacon (the highest-scoring of them, a port's before
   * an address's), else its highest-scoring series. remotePort is null for a series across ports.
   */
  beacon: (BeaconScore & { remoteIp: string; remotePort: number | null }) | null;
  /** Whether any destination series, per port or per address across ports, is a strong beacon (see isStrongBeacon). */
  strongBeacon: boolean;
  loads: DefaultEvidenceLoad[];
  connectionEvents: DefaultEvidenceConnection[];
}

export interface DefaultDetectionOptions {
  asOfUs: number;
  lists: DetectionLists;
  settings: DetectionSettings;
}

const OPENSSL = caseInsensitiveSet(OPENSSL_NAMES);

interface ProcessActivity {
  /** Its identity as its events give it; the command line shown is settled once its creation is found. */
  identity: Omit<ProcessIdentity, "commandLine">;
  parentFileName: string | null;
  parentProcessId: number | null;
  loads: DetectionEvent[];
  connections: DetectionEvent[];
}

/** The destination address classes this mode scores (RemoteIPType, or the address's own class). */
export function outboundAddressClasses(settings: Pick<DetectionSettings, "labMode">): string[] {
  return settings.labMode ? ["Public", "Private", "Loopback"] : ["Public"];
}

/**
 * The connection ActionTypes this mode counts. Lab mode counts failed attempts too: Atomic tests
 * aim at closed ports on 127.0.0.1, where every attempt fails, and an implant retrying a dead C2
 * still beacons.
 */
export function outboundActionTypes(settings: Pick<DetectionSettings, "labMode">): string[] {
  return settings.labMode ? ["ConnectionSuccess", FAILED_ATTEMPT] : ["ConnectionSuccess"];
}

const FAILED_ATTEMPT = "ConnectionFailed";

/** A connection the seed query's own filter keeps (`ActionType == "ConnectionSuccess" and RemoteIPType == "Public"`). */
function seenBySeedQuery(connection: DetectionEvent): boolean {
  return connection.actionType === "ConnectionSuccess" && connection.remoteIpType === "Public";
}

export function runDefaultDetection(events: readonly DetectionEvent[], options: DefaultDetectionOptions): DefaultFinding[] {
  const { asOfUs, lists, settings } = options;
  const fromUs = asOfUs - settings.lookbackHours * MICROS_PER_HOUR;
  const inLookback = (event: DetectionEvent) => event.timeUs > fromUs && event.timeUs <= asOfUs;
  const cryptoLibraries = caseInsensitiveSet(lists.cryptoLibraries);
  const excluded = caseInsensitiveSet([...lists.excludedSystemProcesses, ...lists.excludedBrowsers]);
  const standardPorts = new Set(lists.standardPorts);
  const allowedClasses = new Set(outboundAddressClasses(settings));
  const countedActions = new Set(outboundActionTypes(settings));

  const activities = new Map<string, ProcessActivity>();
  const processCreations: DetectionEvent[] = [];
  for (const event of events) {
    if (event.kind === "process") {
      processCreations.push(event);
      continue;
    }
    if (!inLookback(event) || event.initiatingProcessId === null || excluded.has(event.initiatingProcessFileName)) continue;
    const isCryptoLoad = event.kind === "image_load" && cryptoLibraries.has(event.fileName);
    const isOutbound =
      event.kind === "network" &&
      countedActions.has(event.actionType) &&
      event.remoteIp !== null &&
      event.remotePort !== null &&
      allowedClasses.has(remoteAddressClass(event.remoteIpType, event.remoteIp));
    if (!isCryptoLoad && !isOutbound) continue;
    const activity = activityFor(activities, event);
    (isCryptoLoad ? activity.loads : activity.connections).push(event);
  }

  const creationIndex = indexProcessCreations(processCreations);
  const opensslRuns = indexOpensslRuns(processCreations);
  const windowUs = settings.correlationWindowMinutes * MICROS_PER_MINUTE;
  const findings: DefaultFinding[] = [];
  for (const activity of activities.values()) {
    if (activity.connections.length === 0) continue;
    activity.loads.sort(byTime);
    activity.connections.sort(byTime);
    const finding = assessProcess(activity, { windowUs, standardPorts, settings, fromUs, asOfUs, creationIndex, opensslRuns });
    if (finding) findings.push(finding);
  }
  return findings.sort(compareDefaultFindings);
}

/**
 * What a corrected list is ranked by, most severe first. Stored findings are ranked when a run
 * ends, from these fields of their list rows (see finding-list), with this same order.
 */
export interface DefaultFindingRank {
  severity: Severity;
  confidence: Confidence;
  reasonCount: number;
  beaconScore: number | null;
  device: string;
  process: string;
  pid: number;
}

export function defaultFindingRank(finding: Pick<DefaultFinding, "severity" | "confidence" | "reasons" | "beacon" | "process">): DefaultFindingRank {
  const { severity, confidence, reasons, beacon, process } = finding;
  return { severity, confidence, reasonCount: reasons.length, beaconScore: beacon?.score ?? null, device: process.deviceName, process: process.processName, pid: process.processId };
}

export function compareDefaultRanks(a: DefaultFindingRank, b: DefaultFindingRank): number {
  return (
    SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
    CONFIDENCE_ORDER[b.confidence] - CONFIDENCE_ORDER[a.confidence] ||
    // More independent reasons first: a C2 with indicators outranks a noisy updater at equal severity.
    b.reasonCount - a.reasonCount ||
    (b.beaconScore ?? 0) - (a.beaconScore ?? 0) ||
    a.device.localeCompare(b.device) ||
    a.process.localeCompare(b.process) ||
    a.pid - b.pid
  );
}

function compareDefaultFindings(a: DefaultFinding, b: DefaultFinding): number {
  return compareDefaultRanks(defaultFindingRank(a), defaultFindingRank(b));
}

function byTime(a: DetectionEvent, b: DetectionEvent) {
  return a.timeUs - b.timeUs;
}

/**
 * Creation times are compared as normalised text, so 7-digit and trimmed spellings agree.
 * Every event of a process repeats the same text: remember the answers (a hot path at a
 * million events).
 */
const normalizedTimes = new Map<string, string>();
function normalizedTime(text: string | null): string | null {
  if (!text) return null;
  let normalized = normalizedTimes.get(text);
  if (normalized === undefined) {
    normalized = parseIsoTimestamp(text)?.text ?? text;
    if (normalizedTimes.size > 100_000) normalizedTimes.clear();
    normalizedTimes.set(text, normalized);
  }
  return normalized;
}

/** Device + Sysmon ProcessGuid when known, else device + PID + creation time (PIDs are reused). */
function processKey(deviceName: string, processId: number, creationTime: string | null, processGuid: string | null = null): string {
  if (processGuid) return `${deviceName}\u0000guid\u0000${processGuid.toLowerCase()}`;
  return `${deviceName}\u0000${processId}\u0000${normalizedTime(creationTime) ?? ""}`;
}

/**
 * A process as this mode groups and names it: its processKey and its image name. Without a
 * creation time a reused PID would otherwise merge two programs into one finding, and an
 * excluded name (hidden when findings are read) would hide the other program's activity with it.
 */
function activityKey(deviceName: string, processId: number, creationTime: string | null, processGuid: string | null, processName: string | null): string {
  return `${processKey(deviceName, processId, creationTime, processGuid)}\u0000${(processName ?? "").toLowerCase()}`;
}

function activityFor(activities: Map<string, ProcessActivity>, event: DetectionEvent): ProcessActivity {
  const processId = event.initiatingProcessId as number;
  const key = activityKey(event.deviceName, processId, event.initiatingProcessCreationTime, event.initiatingProcessGuid, event.initiatingProcessFileName);
  let activity = activities.get(key);
  if (!activity) {
    activity = {
      identity: {
        deviceName: event.deviceName,
        deviceId: event.deviceId,
        processName: event.initiatingProcessFileName ?? "",
        processId,
        processCreationTime: normalizedTime(event.initiatingProcessCreationTime),
        processGuid: event.initiatingProcessGuid,
        eventCommandLine: event.initiatingProcessCommandLine ?? "",
        accountName: event.initiatingProcessAccountName ?? "",
        sha256: event.initiatingProcessSHA256 ?? "",
        folderPath: event.initiatingProcessFolderPath,
      },
      parentFileName: event.initiatingProcessParentFileName,
      parentProcessId: event.initiatingProcessParentId,
      loads: [],
      connections: [],
    };
    activities.set(key, activity);
  }
  return activity;
}

interface PidCreations {
  oldestFirst: DetectionEvent[];
  /** The oldest creation with each normalised creation time. */
  byCreationTime: Map<string, DetectionEvent>;
}

interface CreationIndex {
  /** By device + PID of the created process. */
  byPid: Map<string, PidCreations>;
  /** By device + Sysmon ProcessGuid. */
  byGuid: Map<string, DetectionEvent>;
}

function indexProcessCreations(creations: DetectionEvent[]): CreationIndex {
  const index: CreationIndex = { byPid: new Map(), byGuid: new Map() };
  for (const event of creations) {
    if (event.processGuid) index.byGuid.set(`${event.deviceName}\u0000${event.processGuid.toLowerCase()}`, event);
    if (event.processId === null) continue;
    const key = `${event.deviceName}\u0000${event.processId}`;
    const pidCreations = index.byPid.get(key);
    if (pidCreations) pidCreations.oldestFirst.push(event);
    else index.byPid.set(key, { oldestFirst: [event], byCreationTime: new Map() });
  }
  for (const { oldestFirst, byCreationTime } of index.byPid.values()) {
    oldestFirst.sort(byTime);
    for (const event of oldestFirst) {
      const creationTime = normalizedTime(event.processCreationTime);
      if (creationTime !== null && !byCreationTime.has(creationTime)) byCreationTime.set(creationTime, event);
    }
  }
  return index;
}

interface ProcessReference {
  processId: number | null;
  creationTime: string | null;
  processGuid: string | null;
  /** Its image name: without a creation time, a PID's latest creation is only this process's if the names agree. */
  fileName: string | null;
}

/**
 * The creation event of a process: by GUID, else by its creation time. Only when neither is known,
 * the latest creation of its PID before `beforeUs`, if it created a program of the same name. A
 * known creation time that no creation event has means its own creation was not collected: the
 * PID's other creations are other processes that reused it, and their parents are not its parent.
 */
function findCreation(index: CreationIndex, deviceName: string, reference: ProcessReference, beforeUs: number): DetectionEvent | null {
  if (reference.processGuid) {
    const byGuid = index.byGuid.get(`${deviceName}\u0000${reference.processGuid.toLowerCase()}`);
    if (byGuid) return byGuid;
  }
  const { processId, creationTime } = reference;
  if (processId === null) return null;
  const candidates = index.byPid.get(`${deviceName}\u0000${processId}`);
  if (!candidates) return null;
  if (creationTime) return candidates.byCreationTime.get(creationTime) ?? null;
  const { oldestFirst } = candidates;
  const latest = oldestFirst[countLeading(oldestFirst, (event) => event.timeUs <= beforeUs) - 1] ?? null;
  const sameProgram = latest !== null && (reference.fileName === null || (latest.fileName ?? "").toLowerCase() === reference.fileName.toLowerCase());
  return sameProgram ? latest : null;
}

interface AssessContext {
  windowUs: number;
  standardPorts: Set<number>;
  settings: DetectionSettings;
  fromUs: number;
  asOfUs: number;
  creationIndex: CreationIndex;
  opensslRuns: Map<string, DetectionEvent[]>;
}

function assessProcess(activity: ProcessActivity, context: AssessContext): DefaultFinding | null {
  const candidate = candidateProcess(activity, context);
  const evidenceSettings = { settings: context.settings, standardPorts: context.standardPorts };
  const found = EVIDENCE_MODULES.map((module) => module(candidate, evidenceSettings)).filter((evidence) => evidence !== null);
  const fired = new Set(found.map((evidence) => evidence.rule).filter((rule) => rule !== null));
  if (fired.size === 0) return null;
  const rules = (Object.keys(RULE_LABELS) as RuleId[]).filter((rule) => fired.has(rule));
  const { identity, loads, connections, lineageFlags, commandLineIndicators, destinationSeries, strongPorts, strongAddresses } = candidate;
  const strongBeacon = fired.has("beacon-only");
  const inSeedWindow = new Set(correlatedConnections(candidate, context.standardPorts));
  // The series are in score order: the first strong one (a port's before an address's), else the first one.
  const shownSeries = strongPorts[0]?.summary ?? (strongAddresses[0] ? { ...strongAddresses[0], remotePort: null } : destinationSeries[0]?.summary);
  return {
    key: activityKey(identity.deviceName, identity.processId, identity.processCreationTime, identity.processGuid, identity.processName),
    process: identity,
    parent: candidate.parent,
    grandparent: candidate.grandparent,
    rules,
    ...rateSeverity({ rules, strongBeacon, commandLineIndicators: commandLineIndicators.length, lineageFlags: lineageFlags.length, prevalence: null }),
    prevalence: null,
    reasons: found.flatMap((evidence) => evidence.reasons),
    cryptoLibsLoaded: cryptoLibrariesLoaded(candidate),
    commandLineIndicators,
    lineageFlags,
    connections: {
      count: connections.length,
      inSeedWindow: [...inSeedWindow].filter(seenBySeedQuery).length,
      failedAttempts: connections.filter((c) => c.actionType === FAILED_ATTEMPT).length,
      firstConnection: connections[0].timestamp,
      lastConnection: connections[connections.length - 1].timestamp,
      bytesSent: sumKnown(connections.map((c) => c.sentBytes)),
      bytesReceived: sumKnown(connections.map((c) => c.receivedBytes)),
      destinations: destinationSeries.map((series) => series.summary),
    },
    beacon: shownSeries ? { ...shownSeries.beacon, remoteIp: shownSeries.remoteIp, remotePort: shownSeries.remotePort } : null,
    strongBeacon,
    loads: loads.map((load) => ({ eventId: load.id ?? null, timestamp: load.timestamp, timeUs: load.timeUs, cryptoLib: load.fileName ?? "" })),
    connectionEvents: connections.map((c) => ({
      eventId: c.id ?? null,
      timestamp: c.timestamp,
      timeUs: c.timeUs,
      remoteIp: c.remoteIp as string,
      remotePort: c.remotePort as number,
      sentBytes: c.sentBytes,
      receivedBytes: c.receivedBytes,
      inSeedWindow: inSeedWindow.has(c) && seenBySeedQuery(c),
      failed: c.actionType === FAILED_ATTEMPT,
    })),
  };
}

/** A process with what the evidence modules judge it by, derived once: its context (creation, parents, lineage, command line) and its connection series. */
function candidateProcess(activity: ProcessActivity, context: AssessContext): CandidateProcess & { parent: RelatedProcess | null; grandparent: RelatedProcess | null } {
  const { identity, loads, connections } = activity;
  const { settings } = context;
  const creation = findCreation(
    context.creationIndex,
    identity.deviceName,
    { processId: identity.processId, creationTime: identity.processCreationTime, processGuid: identity.processGuid, fileName: identity.processName || null },
    connections[0].timeUs,
  );
  const parent: RelatedProcess | null = creation
    ? { fileName: creation.initiatingProcessFileName ?? "", processId: creation.initiatingProcessId, commandLine: creation.initiatingProcessCommandLine }
    : activity.parentFileName
      ? { fileName: activity.parentFileName, processId: activity.parentProcessId, commandLine: null }
      : null;
  const parentCreation = creation
    ? findCreation(
        context.creationIndex,
        identity.deviceName,
        {
          processId: creation.initiatingProcessId,
          creationTime: normalizedTime(creation.initiatingProcessCreationTime),
          processGuid: creation.initiatingProcessGuid,
          fileName: creation.initiatingProcessFileName,
        },
        creation.timeUs,
      )
    : null;
  const grandparentName = creation?.initiatingProcessParentFileName ?? parentCreation?.initiatingProcessFileName ?? null;
  const grandparent: RelatedProcess | null = grandparentName
    ? { fileName: grandparentName, processId: creation?.initiatingProcessParentId ?? parentCreation?.initiatingProcessId ?? null, commandLine: parentCreation?.initiatingProcessCommandLine ?? null }
    : null;
  // Sysmon's network and image-load events carry no command line: its creation event (event 1) does.
  const commandLine = identity.eventCommandLine || creation?.processCommandLine || "";
  const image: LineageProcess = { fileName: identity.processName, folderPath: identity.folderPath ?? creation?.folderPath ?? null, commandLine };
  const lineageFlags = assessLineage(
    image,
    parent ? lineageOf(parent, parentCreation) : null,
    grandparent ? { fileName: grandparent.fileName, folderPath: null, commandLine: grandparent.commandLine } : null,
  );
  const range: [number, number] = [context.fromUs / MICROS_PER_SECOND, context.asOfUs / MICROS_PER_SECOND];
  const destinationSeries = summarizeDestinations(connections, range);
  const strongPorts = destinationSeries.filter((series) => isStrongBeacon(series.summary.beacon, settings));
  const strongAddresses = addressSeries(connections, range, new Set(strongPorts.map(({ summary }) => summary.remoteIp))).filter((series) => isStrongBeacon(series.beacon, settings));
  return {
    identity: { ...identity, commandLine },
    image,
    loads,
    connections,
    creation,
    parent,
    grandparent,
    lineageFlags,
    commandLineIndicators: findCommandLineIndicators(commandLine),
    afterLoad: connectionsAfterLoads(loads, connections, context.windowUs),
    destinationSeries,
    strongPorts,
    strongAddresses,
    opensslRuns: context.opensslRuns.get(identity.deviceName) ?? [],
  };
}

/**
 * The fleet prevalence keys of a finding: its binary's, and every address it connected to (it is
 * rated by the rarest of them, so a C2 beside a busy common endpoint is not judged by the endpoint).
 */
export function fleetPrevalenceKeys(finding: Pick<DefaultFinding, "process" | "connections">): { binaryKey: string; destinationKeys: string[] } {
  const { sha256, folderPath, processName } = finding.process;
  const destinationKeys = [...new Set(finding.connections.destinations.map((destination) => destinationPrevalenceKey(destination.remoteIp)))];
  return { binaryKey: binaryPrevalenceKey(sha256, folderPath, processName), destinationKeys };
}

/** A finding rated again with the fleet's counts, which its run reads when it ends. */
export function withFleetPrevalence<Finding extends Pick<DefaultFinding, "rules" | "strongBeacon" | "commandLineIndicators" | "lineageFlags">>(
  finding: Finding,
  prevalence: FleetPrevalence,
): Finding & SeverityRating & { prevalence: FleetPrevalence } {
  const { rules, strongBeacon, commandLineIndicators, lineageFlags } = finding;
  const rating = rateSeverity({ rules, strongBeacon, commandLineIndicators: commandLineIndicators.length, lineageFlags: lineageFlags.length, prevalence });
  return { ...finding, ...rating, prevalence };
}

/**
 * A strong beacon: RITA's combined score at the threshold with a periodicity well above chance
 * (requiredBeaconPeriodicity: more for fewer intervals), or
 * a series that is regular while it lasts (timestamp score and periodicity both at the threshold).
 * RITA's histogram and duration scores judge persistence over the whole lookback: random traffic
 * all day long scores near 1 on both, enough for the combined score when sizes are unknown
 * (Defender's), so the first arm also asks for a rhythm. A C2 session of a few hours scores low on
 * them however clockwork it is; the second arm keeps such sessions.
 */
export function isStrongBeacon(beacon: BeaconScore, settings: Pick<DetectionSettings, "beaconScoreThreshold" | "beaconMinConnections">): boolean {
  if (beacon.distinctTimestamps < settings.beaconMinConnections) return false;
  if (beacon.score >= settings.beaconScoreThreshold && (beacon.periodicity ?? 0) >= requiredBeaconPeriodicity(beacon.distinctTimestamps)) return true;
  return (beacon.timestampScore ?? 0) >= settings.beaconScoreThreshold && (beacon.periodicity ?? 0) >= settings.beaconScoreThreshold;
}

function lineageOf(parent: RelatedProcess, creation: DetectionEvent | null): LineageProcess {
  return { fileName: parent.fileName, folderPath: creation?.folderPath ?? null, commandLine: parent.commandLine };
}

/** Each device's openssl encryption runs (see openssl-encryption), oldest first (a stable sort: runs at one instant keep their order). */
function indexOpensslRuns(creations: readonly DetectionEvent[]): Map<string, DetectionEvent[]> {
  const runsByDevice = new Map<string, DetectionEvent[]>();
  for (const event of creations) {
    if (!OPENSSL.has(event.fileName) || !isOpensslEncryption(event.processCommandLine ?? "")) continue;
    const runs = runsByDevice.get(event.deviceName);
    if (runs) runs.push(event);
    else runsByDevice.set(event.deviceName, [event]);
  }
  for (const runs of runsByDevice.values()) runs.sort(byTime);
  return runsByDevice;
}

/** The host name in a RemoteUrl (Defender gives a bare host, a host and path, or a full URL), lower-case; null without one. */
export function hostOfRemoteUrl(remoteUrl: string | null): string | null {
  if (!remoteUrl) return null;
  const withoutScheme = remoteUrl.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const host = withoutScheme.split(/[/?#]/)[0].replace(/^[^@]*@/, "").replace(/:\d+$/, "").toLowerCase();
  return host === "" ? null : host;
}

function summarizeDestinations(connections: DetectionEvent[], range: [number, number]): DestinationSeries[] {
  const series = new Map<string, DetectionEvent[]>();
  for (const connection of connections) {
    const key = `${connection.remoteIp}\u0000${connection.remotePort}`;
    const list = series.get(key);
    if (list) list.push(connection);
    else series.set(key, [connection]);
  }
  return [...series.values()]
    .map((list) => ({
      summary: {
        remoteIp: list[0].remoteIp as string,
        remotePort: list[0].remotePort as number,
        addressClass: remoteAddressClass(list[0].remoteIpType, list[0].remoteIp),
        remoteDomains: [...new Set(list.map((connection) => hostOfRemoteUrl(connection.remoteUrl)).filter((host): host is string => host !== null))].sort(),
        unnamedConnections: list.filter((connection) => hostOfRemoteUrl(connection.remoteUrl) === null).length,
        connections: list.length,
        firstConnection: list[0].timestamp,
        lastConnection: list[list.length - 1].timestamp,
        bytesSent: sumKnown(list.map((c) => c.sentBytes)),
        bytesReceived: sumKnown(list.map((c) => c.receivedBytes)),
        beacon: scoreConnectionSeries(list, range),
      },
      connections: list,
    }))
    .sort(({ summary: a }, { summary: b }) => b.beacon.score - a.beacon.score || b.connections - a.connections || a.remoteIp.localeCompare(b.remoteIp) || a.remotePort - b.remotePort);
}

/** The connections within `windowUs` after a load. Both lists are in time order, so one walk keeps the latest load at or before each connection: if any load's window holds it, the latest one's does. */
function connectionsAfterLoads(loads: readonly DetectionEvent[], connections: readonly DetectionEvent[], windowUs: number): DetectionEvent[] {
  const windowed: DetectionEvent[] = [];
  let loadsAtOrBefore = 0;
  for (const connection of connections) {
    while (loadsAtOrBefore < loads.length && loads[loadsAtOrBefore].timeUs <= connection.timeUs) loadsAtOrBefore++;
    if (loadsAtOrBefore > 0 && connection.timeUs <= loads[loadsAtOrBefore - 1].timeUs + windowUs) windowed.push(connection);
  }
  return windowed;
}

