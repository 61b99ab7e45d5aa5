/**
 * Too few connections for a strong beacon, but regular, on a non-standard port, from a process whose
 * lineage or location is suspicious: together, worth an analyst's look.
 */
import type { DestinationSummary } from "../default-detection";
import type { DetectionSettings } from "../detection-settings";
import { beaconReasonText } from "./beaconing";
import { citedEventIds, type EvidenceModule } from "./evidence-module";

/** The fewest connections (at distinct times) of a short beacon: below the beacon minimum, still a rhythm. */
export const SHORT_BEACON_MIN_CONNECTIONS = 6;

/**
 * A series regular while it lasts (timestamp score and periodicity at the beacon threshold) with
 * SHORT_BEACON_MIN_CONNECTIONS or more connections at distinct times, but fewer than the beacon
 * minimum, to a non-standard port.
 */
function isShortBeacon(destination: DestinationSummary, settings: DetectionSettings, standardPorts: ReadonlySet<number>): boolean {
  const { beacon } = destination;
  return (
    beacon.distinctTimestamps >= SHORT_BEACON_MIN_CONNECTIONS &&
    beacon.distinctTimestamps < settings.beaconMinConnections &&
    !standardPorts.has(destination.remotePort) &&
    (beacon.timestampScore ?? 0) >= settings.beaconScoreThreshold &&
    (beacon.periodicity ?? 0) >= settings.beaconScoreThreshold
  );
}

export const shortBeacon: EvidenceModule = ({ lineageFlags, destinationSeries }, { settings, standardPorts }) => {
  if (lineageFlags.length === 0) return null;
  const short = destinationSeries.filter(({ summary }) => isShortBeacon(summary, settings, standardPorts));
  if (short.length === 0) return null;
  return {
    rule: "short-beacon",
    reasons: short.map(({ summary, connections }) => ({
      kind: "short-beacon" as const,
      text: beaconReasonText("Short beacon", `${summary.remoteIp}:${summary.remotePort}`, summary.beacon),
      eventIds: citedEventIds(connections),
    })),
  };
};
