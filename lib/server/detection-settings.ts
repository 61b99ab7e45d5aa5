import "server-only";
import { z } from "zod";
import { DEFAULT_DETECTION_SETTINGS, detectionSettingsSchema, type DetectionSettings } from "../detection/detection-settings";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import { prisma } from "./db";

const AS_OF_KEY = "detection.asOf";
const LAST_RUN_KEY = "detection.lastRun";
const SETTINGS_KEY = "detection.settings";

export const detectionRunSchema = z.object({
  runId: z.string(),
  finishedAt: z.string(),
  asOf: z.string().nullable(),
  asOfSource: z.enum(["newest-event", "user"]),
  findings: z.number().int(),
  seedFindings: z.number().int(),
  /** Devices with more events than detection could hold in the server's heap: not analysed. */
  skippedDevices: z.array(z.object({ deviceName: z.string(), events: z.number().int() })).default([]),
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
