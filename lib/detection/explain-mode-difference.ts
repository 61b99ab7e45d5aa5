/**
 * Says, in plain sentences, why the seed query (KQL-compatible mode) and the default mode
 * disagree about a process, so analysts comparing with Sentinel are not left guessing.
 */
import { MIN_BEACON_PERIODICITY, requiredBeaconPeriodicity, type DefaultFinding } from "./default-detection";
import { formatSeconds } from "./format-seconds";
import type { DetectionSettings } from "./detection-settings";
import type { SeedQueryRow } from "./seed-kql-query";

export type ModeDifferenceContext = Pick<DetectionSettings, "beaconScoreThreshold" | "correlationWindowMinutes">;

export function explainModeDifference(finding: DefaultFinding, seedRow: SeedQueryRow | null, context: ModeDifferenceContext): string {
  if (seedRow === null) return `The seed query does not flag this process: ${whySeedMisses(finding)}.`;

  const sentences: string[] = [];
  const distinct = finding.connections.inSeedWindow;
  if (seedRow.ConnectionCount !== distinct) {
    sentences.push(
      seedRow.CryptoLibsLoaded.length > 1
        ? `The seed query counts ${seedRow.ConnectionCount} connections because ${seedRow.CryptoLibsLoaded.length} crypto DLLs were loaded; there were ${distinct}.`
        : `The seed query counts ${seedRow.ConnectionCount} connections (one per load and connection pair, and per process sharing this name and PID); there were ${distinct}.`,
    );
  }
  if (finding.connections.count > distinct) {
    sentences.push(
      `It only summarises connections within ${context.correlationWindowMinutes} minutes of a load; the process made ${finding.connections.count} outbound connections in the lookback, all scored here.`,
    );
  }
  if (seedRow.BeaconLikely !== finding.strongBeacon) {
    const median = finding.beacon?.medianIntervalSeconds;
    const seedBasis =
      seedRow.ConnectionCount <= 1
        ? "with a single connection in its window"
        : `from an average of ${seedRow.AvgIntervalSeconds.toFixed(1)} s built on whole minutes`;
    sentences.push(
      `It rates BeaconLikely ${seedRow.BeaconLikely ? "true" : "false"} ${seedBasis}; ` +
        `the measured median interval is ${median === null || median === undefined ? "unknown" : formatSeconds(median)} and the process ${finding.strongBeacon ? "is" : "is not"} a strong beacon` +
        ` (score ${finding.beacon ? finding.beacon.score.toFixed(3) : "n/a"}, threshold ${context.beaconScoreThreshold};` +
        ` periodicity ${finding.beacon?.periodicity === null || finding.beacon?.periodicity === undefined ? "n/a" : finding.beacon.periodicity.toFixed(3)}, at least ${finding.beacon ? requiredBeaconPeriodicity(finding.beacon.distinctTimestamps).toFixed(2) : MIN_BEACON_PERIODICITY} beside the score).`,
    );
  }
  return sentences.length > 0 ? sentences.join(" ") : "Both modes agree on this process.";
}

function whySeedMisses(finding: DefaultFinding): string {
  if (finding.cryptoLibsLoaded.length === 0) return "it loaded no crypto library (it may carry its own cipher, or run on Linux)";
  if (finding.connections.destinations.every((d) => d.addressClass !== "Public")) return "its destinations are not public addresses (lab mode includes them)";
  if (finding.connections.inSeedWindow === 0 && finding.rules.includes("crypto-load-then-connect")) {
    return 'the connections after its crypto load are not what its filter keeps: successful connections typed RemoteIPType "Public" (not failed attempts, FourToSixMapping or untyped addresses, or lab mode\'s private destinations)';
  }
  if (finding.connections.inSeedWindow === 0) return "none of its connections to a non-standard port came within the correlation window of a crypto load";
  return "its join on device and PID found no load and connection of the same process name and command line in its 24-hour lookback";
}
