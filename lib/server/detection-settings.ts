import "server-only";
import { z } from "zod";
import { DEFAULT_DETECTION_SETTINGS, detectionSettingsSchema, type DetectionSettings } from "../detection/detection-settings";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import { prisma } from "./db";
import { copyRunFindings } from "./findings-store";
import { isProcessAlive } from "./process-alive";
import { sqliteConnection } from "./sqlite-connection";

const AS_OF_KEY = "detection.asOf";
const LAST_RUN_KEY = "detection.lastRun";
const SETTINGS_KEY = "detection.settings";
const REQUESTED_KEY = "detection.requested";
const FAILURE_KEY = "detection.failure";

export const detectionRunSchema = z.object({
  runId: z.string(),
  finishedAt: z.string(),
  asOf: z.string().nullable(),
  asOfSource: z.enum(["newest-event", "user"]),
  findings: z.number().int(),
  seedFindings: z.number().int(),
  /** Devices with more events than detection could hold in the server's heap: not analysed. */
  skippedDevices: z.array(z.object({ deviceName: z.string(), events: z.number().int() })).default([]),
  /** The change generation (see requestedGeneration) the run saw when it started: it reflects every change up to it. */
  generation: z.number().int().default(0),
  /**
   * A digest of what every device's findings were computed from (see run-detection): the next run
   * keeps this run's findings of the devices no change touched only when its own inputs are the same.
   */
  inputs: z.string().default(""),
});
export type DetectionRun = z.infer<typeof detectionRunSchema>;

/** The user's "as of" time as stored, or null (the newest event). */
export async function readAsOfText(): Promise<string | null> {
  return (await prisma.setting.findUnique({ where: { key: AS_OF_KEY } }))?.value ?? null;
}

/** The user's "as of" instant in epoch microseconds, or null to use the newest event. */
export async function readAsOfOverride(): Promise<number | null> {
  const text = await readAsOfText();
  return text === null ? null : (parseIsoTimestamp(text)?.us ?? null);
}

export async function writeAsOfOverride(asOf: string | null): Promise<void> {
  if (asOf === null) await prisma.setting.deleteMany({ where: { key: AS_OF_KEY } });
  else await prisma.setting.upsert({ where: { key: AS_OF_KEY }, create: { key: AS_OF_KEY, value: asOf }, update: { value: asOf } });
}

export function writeDetectionRun(run: DetectionRun) {
  const value = JSON.stringify(run);
  return prisma.setting.upsert({ where: { key: LAST_RUN_KEY }, create: { key: LAST_RUN_KEY, value }, update: { value } });
}

/**
 * Runs in progress, as Setting rows "detection.running.<runId>" holding their start: another
 * process on the same database (the CLI beside the server) must not remove their rows when its
 * own run ends. A marker older than RUN_MARKER_MAX_AGE_MS is of a process that died mid-run.
 */
const RUNNING_PREFIX = "detection.running.";
export const RUN_MARKER_MAX_AGE_MS = 6 * 60 * 60 * 1000;

/** The marker's value: its start (compared as text with ISO times: the suffix keeps the order), then the process running it. */
const runMarkerValue = (startedAt: Date) => `${startedAt.toISOString()} pid=${process.pid}`;

/**
 * What a run must compute: every device (`only` null), or only these devices, with what it carried
 * over from the run it builds on (nothing for a full run).
 */
export interface RunStart {
  only: string[] | null;
  carried: Pick<DetectionRun, "findings" | "seedFindings" | "skippedDevices">;
}

const FULL_RUN: RunStart = { only: null, carried: { findings: 0, seedFindings: 0, skippedDevices: [] } };

/**
 * Starts a run, in one IMMEDIATE transaction: its marker (so no other run's commit removes its
 * rows), and, when the current run was computed from the same `inputs` and every change since it
 * (up to `generation`) touched only some devices, that run's findings of the other devices,
 * copied under this run's id. Then only the touched devices are left to compute. Copying in the
 * same transaction as reading the changes keeps the two consistent with a commit in another process.
 */
export function beginDetectionRun(runId: string, startedAt: Date, inputs: string, generation: number): RunStart {
  const db = sqliteConnection();
  return db
    .transaction((): RunStart => {
      db.prepare(`INSERT INTO "Setting" ("key", "value") VALUES (?, ?)`).run(`${RUNNING_PREFIX}${runId}`, runMarkerValue(startedAt));
      const stored = db.prepare(`SELECT "value" FROM "Setting" WHERE "key" = ?`).pluck().get(LAST_RUN_KEY) as string | undefined;
      const previous = stored === undefined ? null : parseJsonSetting(stored, detectionRunSchema);
      if (previous === null || previous.inputs !== inputs) return FULL_RUN;
      const changes = db.prepare(`SELECT "devices" FROM "DetectionChange" WHERE "generation" > ? AND "generation" <= ?`).pluck().all(previous.generation, generation) as (string | null)[];
      // A change missing from the table (made before it existed) is of unknown scope.
      if (changes.length !== generation - previous.generation || changes.includes(null)) return FULL_RUN;
      const touched = [...new Set(changes.flatMap((devices) => JSON.parse(devices!) as string[]))];
      copyRunFindings(previous.runId, runId, touched);
      const counts = Object.fromEntries(db.prepare(`SELECT "mode", count(*) FROM "Finding" WHERE "runId" = ? GROUP BY "mode"`).raw().all(runId) as [string, number][]);
      const touchedDevices = new Set(touched);
      const untouched = (device: { deviceName: string }) => !touchedDevices.has(device.deviceName);
      return { only: touched, carried: { findings: counts.default ?? 0, seedFindings: counts.kql ?? 0, skippedDevices: previous.skippedDevices.filter(untouched) } };
    })
    .immediate();
}

/** Whether a run is in progress in a process still alive (a CLI's `detect` beside the server). */
export async function isRunInProgressElsewhere(): Promise<boolean> {
  const markers = await prisma.setting.findMany({ where: { key: { startsWith: RUNNING_PREFIX } }, select: { value: true } });
  return markers.some(({ value }) => {
    const pid = Number(/ pid=(\d+)$/.exec(value)?.[1]);
    return pid !== process.pid && isProcessAlive(pid);
  });
}

/** Removes what a run that did not finish wrote (never shown: pages read only the current run) and its marker. */
export function discardRun(runId: string) {
  return prisma.$transaction([
    prisma.finding.deleteMany({ where: { runId } }),
    prisma.findingSuppression.deleteMany({ where: { runId } }),
    prisma.setting.deleteMany({ where: { key: `${RUNNING_PREFIX}${runId}` } }),
  ]);
}

/**
 * Makes a finished run current, in one IMMEDIATE transaction (it reads, then writes): removes
 * the findings of every other run but those still in progress (marked after `staleBefore`; the
 * markers are read by the DELETE itself, so a run starting meanwhile in another process keeps
 * what it writes), records the run, and clears its marker and markers of runs that died. A run
 * that reflects fewer changes than the one already current (the CLI's, finishing after the
 * server's) is dropped instead: answers the run that is current afterwards.
 */
export function commitDetectionRun(run: DetectionRun, staleBefore: Date): DetectionRun {
  const db = sqliteConnection();
  const clearMarker = db.prepare(`DELETE FROM "Setting" WHERE "key" = ?`);
  return db
    .transaction((): DetectionRun => {
      const stored = db.prepare(`SELECT "value" FROM "Setting" WHERE "key" = ?`).pluck().get(LAST_RUN_KEY) as string | undefined;
      const current = stored === undefined ? null : parseJsonSetting(stored, detectionRunSchema);
      clearMarker.run(`${RUNNING_PREFIX}${run.runId}`);
      if (current !== null && current.generation > run.generation) {
        db.prepare(`DELETE FROM "Finding" WHERE "runId" = ?`).run(run.runId);
        db.prepare(`DELETE FROM "FindingSuppression" WHERE "runId" = ?`).run(run.runId);
        return current;
      }
      db.prepare(
        `DELETE FROM "Finding" WHERE "runId" <> @runId AND "runId" NOT IN (
           SELECT substr("key", @prefixLength + 1) FROM "Setting" WHERE substr("key", 1, @prefixLength) = @prefix AND "value" >= @staleBefore)`,
      ).run({ runId: run.runId, prefix: RUNNING_PREFIX, prefixLength: RUNNING_PREFIX.length, staleBefore: staleBefore.toISOString() });
      // The suppression matches of the runs just removed.
      db.prepare(`DELETE FROM "FindingSuppression" WHERE "runId" NOT IN (SELECT DISTINCT "runId" FROM "Finding")`).run();
      db.prepare(`INSERT INTO "Setting" ("key", "value") VALUES (?, ?) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`).run(LAST_RUN_KEY, JSON.stringify(run));
      // The run reflects these changes: the next one builds on it, never on what came before.
      db.prepare(`DELETE FROM "DetectionChange" WHERE "generation" <= ?`).run(run.generation);
      db.prepare(`DELETE FROM "Setting" WHERE substr("key", 1, ?) = ? AND "value" < ?`).run(RUNNING_PREFIX.length, RUNNING_PREFIX, staleBefore.toISOString());
      return run;
    })
    .immediate();
}

export function readDetectionRun(): Promise<DetectionRun | null> {
  return readJsonSetting(LAST_RUN_KEY, detectionRunSchema);
}

/** A setting stored as JSON, validated on the way back; null when absent or not valid. */
async function readJsonSetting<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
  const setting = await prisma.setting.findUnique({ where: { key } });
  return setting ? parseJsonSetting(setting.value, schema) : null;
}

function parseJsonSetting<T>(value: string, schema: z.ZodType<T>): T | null {
  const parsed = schema.safeParse(JSON.parse(value));
  return parsed.success ? parsed.data : null;
}

/** The stored thresholds, validated on the way back; anything unreadable falls back to the defaults. */
export async function readDetectionSettings(): Promise<DetectionSettings> {
  return (await readJsonSetting(SETTINGS_KEY, detectionSettingsSchema)) ?? DEFAULT_DETECTION_SETTINGS;
}

export async function writeDetectionSettings(settings: DetectionSettings): Promise<void> {
  const value = JSON.stringify(settings);
  await prisma.setting.upsert({ where: { key: SETTINGS_KEY }, create: { key: SETTINGS_KEY, value }, update: { value } });
}

/**
 * Every change that detection must reflect (an upload, a delete, tuning, settings, as-of) bumps
 * a stored counter; a run records the value it started from. Stored, so a run lost to a crash
 * or a restart is still owed when the server comes back.
 */
export async function readRequestedGeneration(): Promise<number> {
  const setting = await prisma.setting.findUnique({ where: { key: REQUESTED_KEY } });
  return setting ? Number(setting.value) || 0 : 0;
}

/** What a change touched: the devices whose events it added or removed, or everything (settings, lists, as-of). */
export type DetectionChangeScope = { devices: readonly string[] } | "everything";

/**
 * Bumps the counter (concurrent changes each count) and records what the change touched under
 * its new value, in one transaction; answers the new value.
 */
export async function bumpRequestedGeneration(scope: DetectionChangeScope): Promise<number> {
  const db = sqliteConnection();
  return db.transaction(() => recordDetectionChange(scope)).immediate();
}

/**
 * The same, inside the caller's transaction on the process's raw connection: a change to the
 * events (a dataset completed or removed) is recorded with it, all or nothing, so an incremental
 * run can never miss a device whose events changed. A change to what every device is computed
 * from needs no such care: it changes the run's inputs too (see beginDetectionRun).
 */
export function recordDetectionChange(scope: DetectionChangeScope): number {
  const db = sqliteConnection();
  if (!db.inTransaction) throw new Error("recordDetectionChange belongs in the transaction of the change it records.");
  const generation = Number(
    db
      .prepare(`INSERT INTO "Setting" ("key", "value") VALUES (?, '1') ON CONFLICT ("key") DO UPDATE SET "value" = CAST(CAST("value" AS INTEGER) + 1 AS TEXT) RETURNING "value"`)
      .pluck()
      .get(REQUESTED_KEY),
  );
  db.prepare(`INSERT INTO "DetectionChange" ("generation", "devices") VALUES (?, ?)`).run(generation, scope === "everything" ? null : JSON.stringify(scope.devices));
  return generation;
}

export const detectionFailureSchema = z.object({ generation: z.number().int(), at: z.string(), reason: z.string() });
/** A run that died (its process crashed or threw): the previous results stay, and this says why. */
export type DetectionFailure = z.infer<typeof detectionFailureSchema>;

export function readDetectionFailure(): Promise<DetectionFailure | null> {
  return readJsonSetting(FAILURE_KEY, detectionFailureSchema);
}

export async function writeDetectionFailure(failure: DetectionFailure): Promise<void> {
  const value = JSON.stringify(failure);
  await prisma.setting.upsert({ where: { key: FAILURE_KEY }, create: { key: FAILURE_KEY, value }, update: { value } });
}
