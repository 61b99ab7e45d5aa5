/**
 * A process's connections as beacon series: scored per (address, port) by the default mode, and
 * here per address across its ports too. A C2 that rotates its port each connection is regular
 * per address and leaves one connection per port.
 *
 * Pure: connections and the analysed range are arguments.
 */
import { MICROS_PER_SECOND } from "../telemetry/iso-timestamp";
import { scoreBeaconSeries, type BeaconScore } from "./beacon-score";
import type { DetectionEvent } from "./detection-event";

/** The beacon scores of connections (in time order) over the analysed range, in seconds. */
export function scoreConnectionSeries(connections: readonly DetectionEvent[], rangeSeconds: [number, number]): BeaconScore {
  return scoreBeaconSeries({
    timestampsSeconds: connections.map((connection) => connection.timeUs / MICROS_PER_SECOND),
    bytes: connections.map((connection) => (connection.sentBytes === null || connection.receivedBytes === null ? null : connection.sentBytes + connection.receivedBytes)),
    rangeSeconds,
  });
}

export interface AddressSeries {
  remoteIp: string;
  /** The ports it was reached on, ascending. */
  ports: number[];
  beacon: BeaconScore;
  /** Its connections, in time order. */
  connections: DetectionEvent[];
}

/**
 * One series per address reached on more than one port (on one port it is the per-port series),
 * but the `skipped` addresses, highest score first. Only the series kept are scored.
 */
export function addressSeries(connections: readonly DetectionEvent[], rangeSeconds: [number, number], skipped: ReadonlySet<string>): AddressSeries[] {
  const byAddress = new Map<string, DetectionEvent[]>();
  for (const connection of connections) {
    const address = connection.remoteIp as string;
    if (skipped.has(address)) continue;
    const list = byAddress.get(address);
    if (list) list.push(connection);
    else byAddress.set(address, [connection]);
  }
  return [...byAddress.entries()]
    .map(([remoteIp, list]) => ({ remoteIp, ports: [...new Set(list.map((connection) => connection.remotePort as number))].sort((a, b) => a - b), list }))
    .filter(({ ports }) => ports.length > 1)
    .map(({ remoteIp, ports, list }) => ({ remoteIp, ports, beacon: scoreConnectionSeries(list, rangeSeconds), connections: list }))
    .sort((a, b) => b.beacon.score - a.beacon.score || a.remoteIp.localeCompare(b.remoteIp));
}
