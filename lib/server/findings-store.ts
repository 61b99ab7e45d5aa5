import "server-only";
import { z } from "zod";
import { compareDefaultFindings, type DefaultEvidenceConnection, type DefaultEvidenceLoad, type DefaultFinding } from "../detection/default-detection";
import { compareSeedFindings, type EvidenceConnection, type EvidenceLoad, type SeedQueryRow } from "../detection/seed-kql-query";
import { prisma } from "./db";
import { readDetectionRun } from "./detection-settings";
import { sqliteConnection } from "./sqlite-connection";

export const detectionModeSchema = z.enum(["default", "kql"], { error: "mode must be default or kql" });
export type DetectionMode = z.infer<typeof detectionModeSchema>;

/** A default-mode finding as stored: everything but the evidence lists, plus the mode-difference sentence. */
export type StoredDefaultFinding = Omit<DefaultFinding, "loads" | "connectionEvents"> & { modeDifference: string };

export interface SeedFindingItem {
  id: string;
  row: SeedQueryRow;
}

export interface DefaultFindingItem {
  id: string;
  finding: StoredDefaultFinding;
}

export type FindingDetail =
  | { mode: "kql"; id: string; row: SeedQueryRow; loads: EvidenceLoad[]; connections: EvidenceConnection[] }
  | { mode: "default"; id: string; finding: StoredDefaultFinding; loads: DefaultEvidenceLoad[]; connections: DefaultEvidenceConnection[] };

export const findingIdSchema = z.string().regex(/^[0-9a-f]{16}$/, { error: "Not a finding id." });

/** One stored finding, as detection writes it. */
export interface FindingRecord {
  id: string;
  runId: string;
  mode: DetectionMode;
  deviceName: string;
  processName: string;
  beaconLikely: boolean;
  connectionCount: number;
  /** JSON of the output row (the seed query's columns, or the default finding without evidence). */
  row: string;
  /** JSON of the loads and connections behind it. */
  evidence: string;
}

/**
 * Writes a slice of a run's findings in one transaction. Raw rather than Prisma's createMany:
 * for thousands of findings with kilobytes of JSON each, the latter costs hundreds of megabytes.
 */
export function storeFindings(records: readonly FindingRecord[]): void {
  const db = sqliteConnection();
  const insert = db.prepare(
    `INSERT INTO "Finding" ("id", "runId", "mode", "deviceName", "processName", "beaconLikely", "connectionCount", "row", "evidence")
     VALUES (@id, @runId, @mode, @deviceName, @processName, @beaconLikely, @connectionCount, @row, @evidence)`,
  );
  db.transaction(() => {
    for (const record of records) insert.run({ ...record, beaconLikely: record.beaconLikely ? 1 : 0 });
  })();
}

/** The run pages show: the last one to finish (its rows replaced every earlier run's). */
async function currentRunId(): Promise<string> {
  return (await readDetectionRun())?.runId ?? "";
}

export async function listSeedFindings(): Promise<SeedFindingItem[]> {
  const findings = await prisma.finding.findMany({ where: { runId: await currentRunId(), mode: "kql" } });
  return findings.map((finding) => ({ id: finding.id, row: JSON.parse(finding.row) as SeedQueryRow })).sort(compareSeedFindings);
}

export async function listDefaultFindings(): Promise<DefaultFindingItem[]> {
  const findings = await prisma.finding.findMany({ where: { runId: await currentRunId(), mode: "default" } });
  return findings
    .map((finding) => ({ id: finding.id, finding: JSON.parse(finding.row) as StoredDefaultFinding }))
    .sort((a, b) => compareDefaultFindings(a.finding, b.finding));
}

export async function getFinding(id: string): Promise<FindingDetail | null> {
  const stored = await prisma.finding.findUnique({ where: { runId_id: { runId: await currentRunId(), id } } });
  if (!stored) return null;
  const evidence = JSON.parse(stored.evidence);
  if (stored.mode === "kql") return { mode: "kql", id, row: JSON.parse(stored.row), loads: evidence.loads, connections: evidence.connections };
  return { mode: "default", id, finding: JSON.parse(stored.row), loads: evidence.loads, connections: evidence.connections };
}
