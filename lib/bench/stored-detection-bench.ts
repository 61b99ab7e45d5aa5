/**
 * Detection as the server runs it, over what the ingestion bench just stored: a full run with its
 * phases, beside SQLite's bare correlation join over the same stored rows (its index build
 * included), and how soon an exclusion shows in the findings list. Numbers only.
 */
import { performance } from "node:perf_hooks";
import { SEED_QUERY_LISTS } from "../detection/detection-lists";
import { findingListQuery } from "../detection/finding-list";
import { addAllowlistEntry, removeAllowlistEntry } from "../server/allowlist-store";
import { listFindingsPage } from "../server/findings-store";
import type { DetectionRun } from "../server/detection-settings";
import { ingestTelemetryText } from "../server/ingest-upload";
import { runDetection, type DetectionPhases } from "../server/run-detection";
import { sqliteConnection } from "../server/sqlite-connection";

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function runStoredDetectionBench(): Promise<void> {
  console.log("\n== Detection over the stored events (as the server runs it) ==");
  let phases: DetectionPhases | null = null;
  const started = performance.now();
  const run = await runDetection({ onPhases: (measured) => (phases = measured) });
  const runMs = performance.now() - started;
  const { read, seedQuery, defaultMode, store, fleetRating, rank } = phases!;
  console.log(`full run: ${seconds(runMs)}, ${run.findings} default / ${run.seedFindings} seed findings`);
  console.log(`  phases: read ${seconds(read)} (SQLite selects, objects built), seed mode ${seconds(seedQuery)}, default mode ${seconds(defaultMode)}, store ${seconds(store)}, fleet rating ${seconds(fleetRating)}, rank ${seconds(rank)}`);

  const floorMs = bareJoinMs(run.asOf === null ? 0 : Date.parse(run.asOf) * 1000);
  console.log(`floor: SQLite's bare correlation join on the same stored rows, index build included: ${seconds(floorMs)}`);
  console.log(`full run / floor: ${(runMs / floorMs).toFixed(1)}x`);

  const current = (await incrementalRunBench(run, runMs)) ?? run;

  // The process with the most default findings is excluded; the list is read until it is gone.
  const top = listFindingsPage("default", findingListQuery("default", {}, null), current).rows[0];
  if (!top) return;
  const excludeStarted = performance.now();
  const entry = await addAllowlistEntry("excludedSystemProcesses", top.process);
  try {
    const after = listFindingsPage("default", findingListQuery("default", { process: top.process }, null), current);
    const excludeMs = performance.now() - excludeStarted;
    console.log(`an exclusion (${top.process}) shows in the findings list after ${excludeMs.toFixed(0)} ms (${after.matching} of its findings left listed), floor ${seconds(floorMs)}`);
  } finally {
    await removeAllowlistEntry(entry.id);
  }
}

/**
 * An upload touching one device, inside the current lookback (the as-of time stays): the run after
 * it recomputes that device and carries the others' findings over.
 */
async function incrementalRunBench(full: DetectionRun, fullMs: number): Promise<DetectionRun | null> {
  const device = (sqliteConnection().prepare(`SELECT "deviceName" FROM "TelemetryEvent" LIMIT 1`).pluck().get() as string | undefined) ?? null;
  if (device === null || full.asOf === null) return null;
  const at = new Date(Date.parse(full.asOf) - 3600_000).toISOString();
  const csv = `Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName\n${at},${device},ImageLoaded,bcrypt.dll,77777,late.exe\n`;
  // Storing it records the change for its device.
  await ingestTelemetryText("incremental.csv", csv, "cli:bench");
  let devicesRead = 0;
  const started = performance.now();
  const run = await runDetection({ onProgress: (_done, total) => (devicesRead = total) });
  const ms = performance.now() - started;
  console.log(`an upload touching one device (${device}): the next run read ${devicesRead} device(s) and took ${seconds(ms)}, against ${seconds(fullMs)} for the full run`);
  return run;
}

/**
 * The seed query's correlation in SQL over the stored rows: crypto loads joined to successful
 * public connections on non-standard ports of the same process within 15 minutes, per process.
 */
function bareJoinMs(asOfUs: number): number {
  const db = sqliteConnection();
  const from = asOfUs - 24 * 3600 * 1_000_000;
  const libraries = SEED_QUERY_LISTS.cryptoLibraries.map(() => "?").join(", ");
  const ports = SEED_QUERY_LISTS.standardPorts.map(() => "?").join(", ");
  const started = performance.now();
  db.exec(`CREATE INDEX "BenchJoin" ON "TelemetryEvent" ("deviceName", "contextId", "kind", "timeUs")`);
  try {
    db.prepare(
      `SELECT l."deviceName", l."contextId", count(*) FROM "TelemetryEvent" l
       JOIN "TelemetryEvent" c ON c."deviceName" = l."deviceName" AND c."contextId" = l."contextId" AND c."kind" = 'network'
         AND c."timeUs" BETWEEN l."timeUs" AND l."timeUs" + 900000000
       WHERE l."kind" = 'image_load' AND l."timeUs" > ? AND lower(l."fileName") IN (${libraries})
         AND c."timeUs" > ? AND c."actionType" = 'ConnectionSuccess' AND c."remoteIpType" = 'Public' AND c."remotePort" NOT IN (${ports})
       GROUP BY l."deviceName", l."contextId"`,
    ).all(from, ...SEED_QUERY_LISTS.cryptoLibraries, from, ...SEED_QUERY_LISTS.standardPorts);
    return performance.now() - started;
  } finally {
    db.exec(`DROP INDEX "BenchJoin"`);
  }
}
