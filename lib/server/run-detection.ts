import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { compareDefaultFindings, runDefaultDetection, type DefaultFinding } from "../detection/default-detection";
import { explainModeDifference } from "../detection/explain-mode-difference";
import { compareSeedFindings, runSeedQuery, type SeedQueryFinding, type SeedQueryRow } from "../detection/seed-kql-query";
import { formatMicros } from "../telemetry/iso-timestamp";
import { loadDetectionLists } from "./allowlist-store";
import { prisma } from "./db";
import { completeEventsByDevice, newestCompleteEventUs } from "./event-store";
import { readAsOfOverride, readDetectionSettings, writeDetectionRun, type DetectionRun } from "./detection-settings";

/**
 * Runs both detection modes over the stored events, device by device, and replaces the stored findings. Called after
 * every upload and every allowlist, settings or as-of change, so pages only read stored results.
 */
export async function runDetection(): Promise<DetectionRun> {
  const [lists, settings, asOfOverride] = await Promise.all([loadDetectionLists(), readDetectionSettings(), readAsOfOverride()]);
  // Only finished uploads: a running one may still be adding batches, a failed one is being removed.
  const asOfUs = asOfOverride ?? newestCompleteEventUs();
  const seedFindings: SeedQueryFinding[] = [];
  const defaultFindings: DefaultFinding[] = [];
  if (asOfUs !== null) {
    for (const events of completeEventsByDevice()) {
      seedFindings.push(...runSeedQuery(events, { asOfUs, lists }));
      defaultFindings.push(...runDefaultDetection(events, { asOfUs, lists, settings }));
    }
  }
  seedFindings.sort(compareSeedFindings);
  defaultFindings.sort(compareDefaultFindings);

  const seedRowsByGroup = new Map(seedFindings.map((finding) => [groupKeyOfSeedRow(finding.row), finding.row]));
  const explain = (finding: DefaultFinding) =>
    explainModeDifference(finding, seedRowsByGroup.get(groupKeyOfDefault(finding)) ?? null, settings);

  const run: DetectionRun = {
    runId: randomUUID(),
    finishedAt: new Date().toISOString(),
    asOf: asOfUs === null ? null : formatMicros(asOfUs),
    asOfSource: asOfOverride === null ? "newest-event" : "user",
    findings: defaultFindings.length,
    seedFindings: seedFindings.length,
  };
  await prisma.$transaction([
    prisma.finding.deleteMany(),
    prisma.finding.createMany({
      data: [
        ...seedFindings.map((finding, rank) => seedFindingRecord(finding, rank, run.runId)),
        ...defaultFindings.map((finding, rank) => defaultFindingRecord(finding, explain(finding), rank, run.runId)),
      ],
    }),
    writeDetectionRun(run),
  ]);
  return run;
}

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

function seedFindingRecord(finding: SeedQueryFinding, rank: number, runId: string) {
  return {
    // Stable across runs: the hash of the columns the query groups by.
    id: hashId(["kql", groupKeyOfSeedRow(finding.row)]),
    mode: "kql",
    rank,
    deviceName: finding.row.DeviceName,
    processName: finding.row.ProcessName,
    beaconLikely: finding.row.BeaconLikely,
    connectionCount: finding.row.ConnectionCount,
    row: JSON.stringify(finding.row),
    evidence: JSON.stringify({ loads: finding.loads, connections: finding.connections }),
    runId,
  };
}

function defaultFindingRecord(finding: DefaultFinding, modeDifference: string, rank: number, runId: string) {
  const { loads, connectionEvents, ...summary } = finding;
  return {
    id: hashId(["default", finding.key]),
    mode: "default",
    rank,
    deviceName: finding.process.deviceName,
    processName: finding.process.processName,
    beaconLikely: finding.strongBeacon,
    connectionCount: finding.connections.count,
    row: JSON.stringify({ ...summary, modeDifference }),
    evidence: JSON.stringify({ loads, connections: connectionEvents }),
    runId,
  };
}
