import type { BeaconScore } from "../detection/beacon-score";
import type { DestinationSummary } from "../detection/default-detection";
import type { DefaultFindingSummary } from "../detection/finding-list";

/**
 * Hand-made stored default-mode findings for unit tests: one plausible strong beacon, so each test
 * passes as overrides only the fields its expectations read.
 */

/** A destination series' beacon score: its components equal to `score`, a 60 s median interval over 120 connections. */
export function beaconScore(score: number, overrides: Partial<BeaconScore> = {}): BeaconScore {
  return {
    score,
    timestampScore: score,
    dataSizeScore: null,
    histogramScore: null,
    durationScore: null,
    periodicity: null,
    medianIntervalSeconds: 60,
    intervalMadSeconds: 1,
    connections: 120,
    distinctTimestamps: 120,
    ...overrides,
  };
}

/** A public destination's summary over the base finding's two hours, beaconing with score 0.912. */
export function destinationSummary(remoteIp: string, remotePort: number, overrides: Partial<DestinationSummary> = {}): DestinationSummary {
  return {
    remoteIp,
    remotePort,
    addressClass: "public",
    remoteDomains: [], unnamedConnections: 0,
    connections: 120,
    firstConnection: "2024-05-01T10:00:00.000Z",
    lastConnection: "2024-05-01T12:00:00.000Z",
    bytesSent: null,
    bytesReceived: null,
    beacon: beaconScore(0.912),
    ...overrides,
  };
}

/** Overrides for storedDefaultFinding: top-level fields replace, while process and connections merge into the base's. */
export type StoredDefaultFindingOverrides = Partial<Omit<DefaultFindingSummary, "process" | "connections">> & {
  process?: Partial<DefaultFindingSummary["process"]>;
  connections?: Partial<DefaultFindingSummary["connections"]>;
};

/**
 * A default-mode finding as stored (no evidence lists): `beacon.exe` on `ws-01` run by `alice`,
 * flagged by the beacon-only rule for beaconing to 203.0.113.5:8443 with score 0.912 over 120
 * connections, high severity and medium confidence, no parent, reasons or severity basis.
 */
export function storedDefaultFinding(overrides: StoredDefaultFindingOverrides = {}): DefaultFindingSummary {
  const { process, connections, ...rest } = overrides;
  return {
    key: "test",
    process: {
      deviceName: "ws-01",
      deviceId: null,
      processName: "beacon.exe",
      processId: 4242,
      processCreationTime: null,
      processGuid: null,
      commandLine: "beacon.exe",
      eventCommandLine: "beacon.exe",
      accountName: "alice",
      sha256: "ab12",
      folderPath: null,
      ...process,
    },
    parent: null,
    grandparent: null,
    rules: ["beacon-only"],
    severity: "high",
    confidence: "medium",
    severityBasis: [],
    prevalence: null,
    reasons: [],
    cryptoLibsLoaded: ["bcrypt.dll"],
    commandLineIndicators: [],
    lineageFlags: [],
    connections: {
      count: 120,
      inSeedWindow: 0,
      failedAttempts: 0,
      firstConnection: "2024-05-01T10:00:00.000Z",
      lastConnection: "2024-05-01T12:00:00.000Z",
      bytesSent: null,
      bytesReceived: null,
      destinations: [destinationSummary("203.0.113.5", 8443)],
      ...connections,
    },
    beacon: { ...beaconScore(0.912), remoteIp: "203.0.113.5", remotePort: 8443 },
    strongBeacon: true,
    ...rest,
  };
}
