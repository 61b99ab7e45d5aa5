import "server-only";
import { z } from "zod";
import { DEFAULT_DETECTION_SETTINGS, detectionSettingsSchema, type DetectionSettings } from "../detection/detection-settings";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import { prisma } from "./db";

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
});
export type DetectionRun = z.infer<typeof detectionRunSchema>;

/** The user's "as of" instant in epoch microseconds, or null to use the newest event. */
export async function readAsOfOverride(): Promise<number | null> {
  const setting = await prisma.setting.findUnique({ where: { key: AS_OF_KEY } });
  return setting ? (parseIsoTimestamp(setting.value)?.us ?? null) : null;
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

export function markRunStarted(runId: string, startedAt: Date) {
  return prisma.setting.create({ data: { key: `${RUNNING_PREFIX}${runId}`, value: startedAt.toISOString() } });
}

export function clearRunMarker(runId: string) {
  return prisma.setting.deleteMany({ where: { key: `${RUNNING_PREFIX}${runId}` } });
}

/**
 * Removes the findings of every run but `runId` and the runs still in progress (started after
 * `staleBefore`). The markers are read by the DELETE itself: a run starting meanwhile in another
 * process cannot lose the rows it writes between a read and the delete.
 */
export function deleteFindingsOfOtherRuns(runId: string, staleBefore: Date) {
  return prisma.$executeRaw`
    DELETE FROM "Finding" WHERE "runId" <> ${runId} AND "runId" NOT IN (
      SELECT substr("key", ${RUNNING_PREFIX.length + 1}) FROM "Setting" WHERE substr("key", 1, ${RUNNING_PREFIX.length}) = ${RUNNING_PREFIX} AND "value" >= ${staleBefore.toISOString()})`;
}

/** Forgets runs whose process died before finishing (their rows go with the next finished run). */
export function clearStaleRunMarkers(staleBefore: Date) {
  return prisma.setting.deleteMany({ where: { key: { startsWith: RUNNING_PREFIX }, value: { lt: staleBefore.toISOString() } } });
}

export async function readDetectionRun(): Promise<DetectionRun | null> {
  const setting = await prisma.setting.findUnique({ where: { key: LAST_RUN_KEY } });
  if (!setting) return null;
  const parsed = detectionRunSchema.safeParse(JSON.parse(setting.value));
  return parsed.success ? parsed.data : null;
}

/** The stored thresholds, validated on the way back; anything unreadable falls back to the defaults. */
export async function readDetectionSettings(): Promise<DetectionSettings> {
  const setting = await prisma.setting.findUnique({ where: { key: SETTINGS_KEY } });
  if (!setting) return DEFAULT_DETECTION_SETTINGS;
  const parsed = detectionSettingsSchema.safeParse(JSON.parse(setting.value));
  return parsed.success ? parsed.data : DEFAULT_DETECTION_SETTINGS;
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

/** Bumps the counter in one statement (concurrent changes each count) and answers its new value. */
export async function bumpRequestedGeneration(): Promise<number> {
  const [row] = await prisma.$queryRaw<{ value: string }[]>`
    INSERT INTO "Setting" ("key", "value") VALUES (${REQUESTED_KEY}, '1')
    ON CONFLICT ("key") DO UPDATE SET "value" = CAST(CAST("value" AS INTEGER) + 1 AS TEXT) RETURNING "value"`;
  return Number(row.value);
}

export const detectionFailureSchema = z.object({ generation: z.number().int(), at: z.string(), reason: z.string() });
/** A run that died (its process crashed or threw): the previous results stay, and this says why. */
export type DetectionFailure = z.infer<typeof detectionFailureSchema>;

export async function readDetectionFailure(): Promise<DetectionFailure | null> {
  const setting = await prisma.setting.findUnique({ where: { key: FAILURE_KEY } });
  const parsed = setting ? detectionFailureSchema.safeParse(JSON.parse(setting.value)) : null;
  return parsed?.success ? parsed.data : null;
}

export async function writeDetectionFailure(failure: DetectionFailure): Promise<void> {
  const value = JSON.stringify(failure);
  await prisma.setting.upsert({ where: { key: FAILURE_KEY }, create: { key: FAILURE_KEY, value }, update: { value } });
}
