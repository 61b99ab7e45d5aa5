/**
 * Beaconing over all outbound connections of the process: per destination, and per address across
 * ports where no port of it beacons on its own (a C2 rotating its port). A strong beacon makes the
 * beacon-only rule fire, with no DLL load needed.
 */
import type { BeaconScore } from "../beacon-score";
import { formatSeconds } from "../format-seconds";
import { citedEventIds, type EvidenceModule } from "./evidence-module";

/** "Beacon to 198.51.100.7:4444: score 0.912 over 40 connections, median interval 60.0 s, jitter (MAD) 1.2 s." */
export function beaconReasonText(label: string, target: string, beacon: BeaconScore): string {
  return `${label} to ${target}: score ${beacon.score.toFixed(3)} over ${beacon.connections} connections, median interval ${formatSeconds(beacon.medianIntervalSeconds ?? 0)}, jitter (MAD) ${formatSeconds(beacon.intervalMadSeconds ?? 0)}.`;
}

export const beaconing: EvidenceModule = ({ strongPorts, strongAddresses }) => {
  if (strongPorts.length === 0 && strongAddresses.length === 0) return null;
  return {
    rule: "beacon-only",
    reasons: [
      ...strongPorts.map(({ summary, connections }) => ({
        kind: "beacon" as const,
        text: beaconReasonText("Beacon", `${summary.remoteIp}:${summary.remotePort}`, summary.beacon),
        eventIds: citedEventIds(connections),
      })),
      ...strongAddresses.map((series) => ({
        kind: "beacon" as const,
        text: beaconReasonText("Beacon", `${series.remoteIp} across ${series.ports.length} ports`, series.beacon),
        eventIds: citedEventIds(series.connections),
      })),
    ],
  };
};
