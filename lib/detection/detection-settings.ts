/** Tunable thresholds of the default detection mode: settings, stored and edited, never constants in code. */
import { z } from "zod";

export const detectionSettingsSchema = z.object({
  /** Include loopback and private destinations (purple-team labs, Atomic tests aimed at 127.0.0.1). */
  labMode: z.boolean().default(false),
  lookbackHours: z.number().int().min(1).max(24 * 30).default(24),
  /** A crypto load qualifies a process when a connection follows within this many minutes. */
  correlationWindowMinutes: z.number().int().min(1).max(24 * 60).default(15),
  /** Beacon score (0..1) at or above which a destination series counts as a strong beacon. */
  beaconScoreThreshold: z.number().min(0).max(1).default(0.8),
  /** Fewest connections in a series before the beacon-only rule may fire. */
  beaconMinConnections: z.number().int().min(4).max(100_000).default(10),
  /** How soon after `openssl enc` a network tool must connect out (Linux rule). */
  opensslWindowSeconds: z.number().int().min(1).max(3600).default(120),
});

export type DetectionSettings = z.infer<typeof detectionSettingsSchema>;

export const DEFAULT_DETECTION_SETTINGS: DetectionSettings = detectionSettingsSchema.parse({});
