import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { getHeapStatistics } from "node:v8";
import { fleetPrevalenceKeys, runDefaultDetection, withFleetPrevalence, type DefaultFinding } from "../detection/default-detection";
import { maxEventsPerDevice } from "../detection/device-event-budget";
import { computedLists } from "../detection/detection-lists";
import { detectionSelection } from "../detection/detection-selection";
import { explainModeDifference } from "../detection/explain-mode-difference";
import { defaultFindingListRow, defaultFindingSearchText, seedFindingListRow, seedFindingSearchText } from "../detection/finding-list";
import { runSeedQuery, type SeedQueryFinding, type SeedQueryRow } from "../detection/seed-kql-query";
import { formatMicros } from "../telemetry/iso-timestamp";
import { loadDetectionLists } from "./allowlist-store";
import { fleetCounter, rankRunFindings, rateRunFindingsByFleet, storeFindings, type FindingRecord } from "./findings-store";
import { completeEventsByDevice, newestCompleteEventUs } from "./event-store";
import { recordRunSuppressions } from "./suppression-store";
import { reopenResolvedWithNewActivity } from "./triage-store";
import {
  discardRun,
  commitDetectionRun,
  beginDetectionRun,
  readAsOfOverride,
  readDetectionRun,
  readDetectionSettings,
  readRequestedGeneration,
  RUN_MARKER_MAX_AGE_MS,
  type DetectionRun,
} from "./detection-settings";

/** Detection runs one at a time in a process: each removes the rows of the runs before it when it finishes. */
let previousRun: Promise<unknown> = Promise.resolve();

/**
 * Runs both detection modes over the stored events, in this process, and replaces the stored
 * findings. The CLI and the detection process (detection-scheduler) call it; the server itself
 * never does, so its requests are never held up by a run.
 */
export function runDetection(options: DetectionRunOptions = {}): Promise<DetectionRun> {
  const runNow = () => runDetectionNow(options);
  const run = previousRun.then(runNow, runNow);
  previousRun = run.catch(() => undefined);
  return run;
}

export interface DetectionRunOptions {
  /** The most events of one device to analyse; by default what fits in this process's heap (device-event-budget). */
  maxEventsPerDevice?: number;
  /** Told the run's id and the change generation it covers before it writes anything. */
  onStart?: (runId: string, generation: number) => void;
  /** Told after each device. */
  onProgress?: (devicesDone: number, devicesTotal: number) => void;
  /** Told at the end how long each phase took (the bench prints them). */
  onPhases?: (phases: DetectionPhases) => void;
}

/**
 * Milliseconds a run spent reading events (SQLite choosing candidates, then building their
 * events), in each mode, storing findings, rating them by the fleet's counts, and ranking them.
 */
export type DetectionPhases = { read: number; seedQuery: number; defaultMode: number; store: number; fleetRating: number; rank: number };

/**
 * Device by device, both modes' findings are written as they are found, under a new run id, so
 * memory holds one device's events and findings, not the fleet's. The run is made current and
 * earlier runs removed in one transaction at the end: pages show the previous run until then,
 * never a mix. The run ranks its rows before it is made current. Runs of other processes still
 * in progress keep their rows (see beginDetectionRun).
 */
async function runDetectionNow({ maxEventsPerDevice: maxEvents = maxEventsPerDevice(getHeapStatistics().heap_size_limit), onStart, onProgress, onPhases }: DetectionRunOptions): Promise<DetectionRun> {
  // Read first: a change made while this run reads the store asks for the next run.
  const generation = await readRequestedGeneration();
  const [allLists, settings, asOfOverride] = await Promise.all([loadDetectionLists(), readDetectionSettings(), readAsOfOverride()]);
  // Excluded names are hidden when findings are read (findings-store), so excluding one needs no rerun.
  const lists = computedLists(allLists);
  // Only finished uploads: a running one may still be adding batches, a failed one is being removed.
  const asOfUs = asOfOverride ?? newestCompleteEventUs();
  const inputs = hashId([DETECTION_VERSION, lists, settings, asOfUs, maxEvents]);
  const runId = randomUUID();
  // Only the devices changed since the current run, when it was computed from the same inputs.
  const start = beginDetectionRun(runId, new Date(), inputs, generation);
  let seedCount = start.carried.seedFindings;
  let defaultCount = start.carried.findings;
  const pending: FindingRecord[] = [];
  const skippedDevices: DetectionRun["skippedDevices"] = [...start.carried.skippedDevices];
  const phases: DetectionPhases = { read: 0, seedQuery: 0, defaultMode: 0, store: 0, fleetRating: 0, rank: 0 };
  const timed = <T>(phase: keyof DetectionPhases, work: () => T): T => {
    const started = performance.now();
    try {
      return work();
    } finally {
      phases[phase] += performance.now() - started;
    }
  };
  const writePending = () => timed("store", () => storeFindings(pending.splice(0)));
  try {
    onStart?.(runId, generation);
    if (asOfUs !== null) {
      // Findings are stored rated with the fleet's counts; the run's end rates again those whose counts changed since.
      const prevalenceOf = fleetCounter();
      const devices = completeEventsByDevice(detectionSelection(lists, settings, asOfUs), { maxEvents, onProgress, only: start.only ?? undefined });
      for (let next = timed("read", () => devices.next()); !next.done; next = timed("read", () => devices.next())) {
        const device = next.value;
        // A device too busy for the heap is reported on the run, never allowed to crash the server.
        if ("skippedEvents" in device) {
          skippedDevices.push({ deviceName: device.deviceName, events: device.skippedEvents });
          continue;
        }
        const { events } = device;
        const seedFindings = timed("seedQuery", () => runSeedQuery(events, { asOfUs, lists }));
        // Both modes group by device, so the seed row a default finding is compared with is on this device.
        const seedRowsByGroup = new Map(seedFindings.map((finding) => [groupKeyOfSeedRow(finding.row), finding.row]));
        for (const finding of seedFindings) pending.push(seedFindingRecord(finding, runId));
        seedCount += seedFindings.length;
        for (const finding of timed("defaultMode", () => runDefaultDetection(events, { asOfUs, lists, settings }))) {
          const modeDifference = explainModeDifference(finding, seedRowsByGroup.get(groupKeyOfDefault(finding)) ?? null, settings);
          pending.push(timed("fleetRating", () => defaultFindingRecord(finding, prevalenceOf, modeDifference, runId)));
          defaultCount++;
        }
        if (pending.length >= FINDINGS_PER_WRITE) writePending();
      }
    }
    writePending();
    timed("fleetRating", () => rateRunFindingsByFleet(runId));
    timed("rank", () => rankRunFindings(runId));
    // Suppressions hide findings as they are read: which entries each of this run's findings meets.
    recordRunSuppressions(runId);
    onPhases?.(phases);
  } catch (error) {
    await discardRun(runId);
    throw error;
  }

  const run: DetectionRun = {
    runId,
    finishedAt: new Date().toISOString(),
    asOf: asOfUs === null ? null : formatMicros(asOfUs),
    asOfSource: asOfOverride === null ? "newest-event" : "user",
    findings: defaultCount,
    seedFindings: seedCount,
    skippedDevices,
    generation,
    inputs,
  };
  const current = commitDetectionRun(run, new Date(Date.now() - RUN_MARKER_MAX_AGE_MS));
  // Resolved findings this run saw new activity for go back to the queue (a superseded run decides nothing).
  if (current.runId === runId) {
    // The run is current whatever happens here: a failure to reopen is logged, never reported as the run failing.
    try {
      reopenResolvedWithNewActivity(runId);
    } catch (error) {
      console.error("Reopening resolved findings with new activity failed:", error);
    }
  }
  return current;
}

/**
 * Part of every run's inputs: bump it when a change to lib/detection alters what a run computes,
 * so that no run builds on findings an older version computed (see beginDetectionRun).
 */
const DETECTION_VERSION = 7;

/** Findings written per transaction: bounds memory without a transaction per finding. */
const FINDINGS_PER_WRITE = 200;

function hashId(parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

/** The seed query groups by these columns; a default finding maps to the row with the same values. */
function groupKeyOfSeedRow(row: SeedQueryRow): string {
  return JSON.stringify([row.DeviceName, row.ProcessName, row.ProcessCmd, row.AccountName, row.ProcessSHA256]);
}

function groupKeyOfDefault(finding: DefaultFinding): string {
  const p = finding.process;
  return JSON.stringify([p.deviceName, p.processName, p.eventCommandLine, p.accountName, p.sha256]);
}

function seedFindingRecord(finding: SeedQueryFinding, runId: string): FindingRecord {
  // Stable across runs: the hash of the columns the query groups by.
  const id = hashId(["kql", groupKeyOfSeedRow(finding.row)]);
  const listRow = seedFindingListRow(id, finding.row);
  return {
    id,
    mode: "kql",
    deviceName: finding.row.DeviceName,
    processName: finding.row.ProcessName,
    beaconLikely: finding.row.BeaconLikely,
    connectionCount: finding.row.ConnectionCount,
    // The seed query hides an excluded name wherever its image is (parity).
    outsideSystemFolder: false,
    listRow: JSON.stringify(listRow),
    searchText: seedFindingSearchText(listRow),
    row: JSON.stringify(finding.row),
    evidence: JSON.stringify({ loads: finding.loads, connections: finding.connections }),
    binaryKey: "",
    destinationKeys: "[]",
    ratedPrevalence: null,
    runId,
  };
}

/** A default finding as stored: rated with the fleet's counts of its keys (see fleetCounter). */
function defaultFindingRecord(unrated: DefaultFinding, prevalenceOf: ReturnType<typeof fleetCounter>, modeDifference: string, runId: string): FindingRecord {
  const { binaryKey, destinationKeys } = fleetPrevalenceKeys(unrated);
  const prevalence = prevalenceOf(binaryKey, destinationKeys);
  const finding = withFleetPrevalence(unrated, prevalence);
  const { loads, connectionEvents, ...summary } = finding;
  const id = hashId(["default", finding.key]);
  const listRow = defaultFindingListRow(id, summary);
  return {
    id,
    mode: "default",
    deviceName: finding.process.deviceName,
    processName: finding.process.processName,
    beaconLikely: finding.strongBeacon,
    connectionCount: finding.connections.count,
    outsideSystemFolder: finding.lineageFlags.some((flag) => flag.id === "system-name-outside-system32"),
    listRow: JSON.stringify(listRow),
    searchText: defaultFindingSearchText(listRow, finding.reasons),
    row: JSON.stringify({ ...summary, modeDifference }),
    evidence: JSON.stringify({ loads, connections: connectionEvents }),
    binaryKey,
    destinationKeys: JSON.stringify(destinationKeys),
    ratedPrevalence: JSON.stringify(prevalence),
    runId,
  };
}
