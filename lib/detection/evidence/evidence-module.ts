/**
 * The kinds of evidence the default mode weighs, each a small pure module with one signature: it
 * takes a candidate process (its events, and the facts detection derived from them once) and
 * answers the rule it makes fire, if any, and its reasons, or null when it has nothing to say.
 * The registry (evidence-registry) lists them in the order their reasons are shown; adding a kind
 * of evidence means adding a module, its test and a line there.
 */
import type { AddressSeries } from "../connection-series";
import type { CommandLineIndicator } from "../command-line-indicators";
import type { DestinationSummary, FindingReason, ProcessIdentity, RuleId } from "../default-detection";
import type { DetectionEvent } from "../detection-event";
import type { DetectionSettings } from "../detection-settings";
import type { LineageFlag, LineageProcess } from "../process-lineage";

/** A destination (address and port) of the process, with its connections in time order. */
export interface DestinationSeries {
  summary: DestinationSummary;
  connections: DetectionEvent[];
}

export interface CandidateProcess {
  identity: ProcessIdentity;
  /** Its image as lineage judges it (name, folder, command line). */
  image: LineageProcess;
  /** Its crypto-library loads and counted outbound connections in the lookback, in time order (at least one connection). */
  loads: DetectionEvent[];
  connections: DetectionEvent[];
  /** Its creation event, when found (lineage and command-line reasons cite it). */
  creation: DetectionEvent | null;
  lineageFlags: LineageFlag[];
  commandLineIndicators: CommandLineIndicator[];
  /** Connections within the correlation window after a load, on any port. */
  afterLoad: DetectionEvent[];
  /** Per (address, port), highest score first. */
  destinationSeries: DestinationSeries[];
  /** The strong beacons: per port, and per address across ports where no port of it is one. */
  strongPorts: DestinationSeries[];
  strongAddresses: AddressSeries[];
  /** The device's openssl encryption runs, oldest first (the openssl rule). */
  opensslRuns: readonly DetectionEvent[];
}

export interface EvidenceSettings {
  settings: DetectionSettings;
  standardPorts: ReadonlySet<number>;
}

export interface Evidence {
  rule: RuleId | null;
  reasons: FindingReason[];
}

export type EvidenceModule = (candidate: CandidateProcess, context: EvidenceSettings) => Evidence | null;

const MAX_REASON_EVENTS = 50;

/**
 * The stored ids of each group's events, at most MAX_REASON_EVENTS in all, shared out so that
 * every group is cited: each gets an equal share, and what a short group leaves goes to the others.
 */
export function citedEventIds(...groups: readonly (readonly DetectionEvent[])[]): number[] {
  const lists = groups.map((events) => [...new Set(events.map((event) => event.id).filter((id): id is number => id !== undefined))]);
  const taken = lists.map(() => 0);
  let left = MAX_REASON_EVENTS;
  for (let open = lists.length; left > 0 && open > 0; ) {
    const share = Math.max(1, Math.floor(left / open));
    open = 0;
    for (const [index, list] of lists.entries()) {
      const take = Math.min(share, list.length - taken[index], left);
      taken[index] += take;
      left -= take;
      if (taken[index] < list.length) open++;
    }
  }
  return [...new Set(lists.flatMap((list, index) => list.slice(0, taken[index])))];
}

/** The events behind the process's context (lineage, command line): its creation, else its first connection. */
export function contextEventIds(candidate: CandidateProcess): number[] {
  return citedEventIds(candidate.creation ? [candidate.creation] : candidate.connections.slice(0, 1));
}
