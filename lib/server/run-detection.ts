import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { getHeapStatistics } from "node:v8";
import { runDefaultDetection, type DefaultFinding } from "../detection/default-detection";
import { maxEventsPerDevice } from "../detection/device-event-budget";
import { explainModeDifference } from "../detection/explain-mode-difference";
import { defaultFindingListRow, defaultFindingSearchText, seedFindingListRow, seedFindingSearchText } from "../detection/finding-list";
import { runSeedQuery, type SeedQueryFinding, type SeedQueryRow } from "../detection/seed-kql-query";
import { formatMicros } from "../telemetry/iso-timestamp";
import { loadDetectionLists } from "./allowlist-store";
import { prisma } from "./db";
import { rankRunFindings, storeFindings, type FindingRecord } from "./findings-store";
import { completeEventsByDevice, newestCompleteEventUs } from "./event-store";
import {
  clearRunMarker,
  clearStaleRunMarkers,
  deleteFindingsOfOtherRuns,
  markRunStarted,
  readAsOfOverride,
  readDetectionRun,
  readDetectionSettings,
  RUN_MARKER_MAX_AGE_MS,
  writeDetectionRun,
  type DetectionRun,
} from "./detection-settings";

/** Detection runs one at a time in a process: each removes the rows of the runs before it when it finishes. */
let previousRun: Promise<unknown> = Promise.resolve();

/**
 * Runs both detection modes over the stored events and replaces the stored findings. Called after
 * every upload and every allowlist, settings or as-of change, so pages only read stored results.
 */
export function runDetection(options: DetectionRunOptions = {}): Promise<DetectionRun> {
  const runNow = () => runDetectionNow(options);
  const run = previousRun.then(runNow, runNow);
  previousRun = run.catch(() => undefined);
  return run;
}

/**
 * The run findings are read from. When none is recorded although complete events are stored
 * (findings were dropped by a migration), detection runs first, so lists are never silently empty.
 */
export async function currentDetectionRun(): Promise<DetectionRun | null> {
  const run = await readDetectionRun();
  if (run !== null || newestCompleteEventUs() === null) return run;
  // Pages and API calls arriving together share one run rather than each queueing a full pass.
  missingRun ??= runDetection().finally(() => (missingRun = null));
  return missingRun;
}

let missingRun: Promise<DetectionRun> | null = null;

export interface DetectionRunOptions {
  /** The most events of one device to analyse; by default what fits in this process's heap (device-event-budget). */
  maxEventsPerDevice?: number;
}

/**
 * Device by device, both modes' findings are written as they are found, under a new run id, so
 * memory holds one device's events and findings, not the fleet's. The run is made current and
 * earlier runs removed in one transaction at the end: pages show the previous run until then,
 * never a mix. The run ranks its rows before it is made current. Runs of other processes still
 * in progress keep their rows (see markRunStarted).
 */
async function runDetectionNow({ maxEventsPerDevice: maxEvents = maxEventsPerDevice(getHeapStatistics().heap_size_limit) }: DetectionRunOptions): Promise<DetectionRun> {
  const [lists, settings, asOfOverride] = await Promise.all([loadDetectionLists(), readDetectionSettings(), readAsOfOverride()]);
  // Only finished uploads: a running one may still be adding batches, a failed one is being removed.
  const asOfUs = asOfOverride ?? newestCompleteEventUs();
  const runId = randomUUID();
  await markRunStarted(runId, new Date());
  let seedCount = 0;
  let defaultCount = 0;
  const pending: FindingRecord[] = [];
  const skippedDevices: DetectionRun["skippedDevices"] = [];
  const writePending = () => storeFindings(pending.splice(0));
  try {
    if (asOfUs !== null) {
      for (const device of completeEventsByDevice(maxEvents)) {
        // A device too busy for the heap is reported on the run, never allowed to crash the server.
        if ("skippedEvents" in device) {
          skippedDevices.push({ deviceName: device.deviceName, events: device.skippedEvents });
          continue;
        }
        const { events } = device;
        const seedFindings = runSeedQuery(events, { asOfUs, lists });
        // Both modes group by device, so the seed row a default finding is compared with is on this device.
        const seedRowsByGroup = new Map(seedFindings.map((finding) => [groupKeyOfSeedRow(finding.row), finding.row]));
        for (const finding of seedFindings) pending.push(seedFindingRecord(finding, runId));
        seedCount += seedFindings.length;
        for (const finding of runDefaultDetection(events, { asOfUs, lists, settings })) {
          const modeDifference = explainModeDifference(finding, seedRowsByGroup.get(groupKeyOfDefault(finding)) ?? null, settings);
          pending.push(defaultFindingRecord(finding, modeDifference, runId));
          defaultCount++;
        }
        if (pending.length >= FINDINGS_PER_WRITE) writePending();
      }
    }
    writePending();
    rankRunFindings(runId);
  } catch (error) {
    await prisma.$transaction([prisma.finding.deleteMany({ where: { runId } }), clearRunMarker(runId)]);
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
  };
  const staleBefore = new Date(Date.now() - RUN_MARKER_MAX_AGE_MS);
  await prisma.$transaction([
    deleteFindingsOfOtherRuns(runId, staleBefore),
    writeDetectionRun(run),
    clearRunMarker(runId),
    clearStaleRunMarkers(staleBefore),
  ]);
  return run;
}

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
  return JSON.stringify([p.deviceName, p.processName, p.commandLine, p.accountName, p.sha256]);
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
    listRow: JSON.stringify(listRow),
    searchText: seedFindingSearchText(listRow),
    row: JSON.stringify(finding.row),
    evidence: JSON.stringify({ loads: finding.loads, connections: finding.connections }),
    runId,
  };
}

function defaultFindingRecord(finding: DefaultFinding, modeDifference: string, runId: string): FindingRecord {
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
    listRow: JSON.stringify(listRow),
    searchText: defaultFindingSearchText(listRow, finding.reasons),
    row: JSON.stringify({ ...summary, modeDifference }),
    evidence: JSON.stringify({ loads, connections: connectionEvents }),
    runId,
  };
}
