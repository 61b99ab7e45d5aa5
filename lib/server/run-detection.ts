import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { runSeedQuery, type SeedQueryFinding } from "../detection/seed-kql-query";
import { formatMicros } from "../telemetry/iso-timestamp";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { loadDetectionLists } from "./allowlist-store";
import { prisma } from "./db";
import { readAsOfOverride, writeDetectionRun, type DetectionRun } from "./detection-settings";

/**
 * Loads the events, runs the detection engine and replaces the stored findings. Called after
 * every upload and every allowlist or as-of change, so pages only read stored results.
 */
export async function runDetection(): Promise<DetectionRun> {
  const [lists, events, newest, asOfOverride] = await Promise.all([
    loadDetectionLists(),
    prisma.telemetryEvent.findMany({ where: { kind: { in: ["image_load", "network"] } } }),
    prisma.telemetryEvent.aggregate({ _max: { timeUs: true } }),
    readAsOfOverride(),
  ]);
  const asOfUs = asOfOverride ?? newest._max.timeUs;
  const findings = asOfUs === null ? [] : runSeedQuery(events.map(toTelemetryEvent), { asOfUs, lists });
  const run: DetectionRun = {
    runId: randomUUID(),
    finishedAt: new Date().toISOString(),
    asOf: asOfUs === null ? null : formatMicros(asOfUs),
    asOfSource: asOfOverride === null ? "newest-event" : "user",
    findings: findings.length,
  };
  await prisma.$transaction([
    prisma.finding.deleteMany({ where: { mode: "kql" } }),
    prisma.finding.createMany({ data: findings.map((finding, rank) => toFindingRecord(finding, rank, run.runId)) }),
    writeDetectionRun(run),
  ]);
  return run;
}

type StoredEvent = Awaited<ReturnType<typeof prisma.telemetryEvent.findMany>>[number];

function toTelemetryEvent(stored: StoredEvent): TelemetryEvent {
  const { datasetId: _datasetId, kind, ...fields } = stored;
  return { ...fields, kind: kind as TelemetryEvent["kind"] };
}

/** A finding's id is stable across runs: the hash of the columns the query groups by. */
export function findingId(finding: SeedQueryFinding): string {
  const { DeviceName, ProcessName, ProcessCmd, AccountName, ProcessSHA256 } = finding.row;
  return createHash("sha256").update(JSON.stringify([DeviceName, ProcessName, ProcessCmd, AccountName, ProcessSHA256])).digest("hex").slice(0, 16);
}

function toFindingRecord(finding: SeedQueryFinding, rank: number, runId: string) {
  return {
    id: findingId(finding),
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
