/** Rule 1, the corrected seed: a connection to a non-standard port within the window after a crypto-library load. */
import { countLeading } from "../count-leading";
import type { DetectionEvent } from "../detection-event";
import type { FindingReason, RuleId } from "../default-detection";
import { formatSeconds } from "../format-seconds";
import { MICROS_PER_SECOND } from "../../telemetry/iso-timestamp";
import { citedEventIds, type CandidateProcess, type EvidenceModule } from "./evidence-module";

/** The windowed connections on ports off the standard list: what the seed query would correlate (by any address class). */
export function correlatedConnections(candidate: CandidateProcess, standardPorts: ReadonlySet<number>): DetectionEvent[] {
  return candidate.afterLoad.filter((connection) => !standardPorts.has(connection.remotePort as number));
}

export function cryptoLibrariesLoaded(candidate: CandidateProcess): string[] {
  return [...new Set(candidate.loads.map((load) => load.fileName ?? ""))];
}

/** "Loaded bcrypt.dll, then connected to 198.51.100.7:4444<portNote> 2.000 s later<imageNote>; 3 connection(s) within 15 min of a load." */
export function loadThenConnectReason(kind: RuleId, candidate: CandidateProcess, windowed: DetectionEvent[], windowMinutes: number, notes: { port: string; image: string }): FindingReason {
  const { loads } = candidate;
  const [first] = windowed;
  const lastLoadBefore = loads[countLeading(loads, (load) => load.timeUs <= first.timeUs) - 1];
  const delay = formatSeconds((first.timeUs - lastLoadBefore.timeUs) / MICROS_PER_SECOND);
  return {
    kind,
    text: `Loaded ${cryptoLibrariesLoaded(candidate).join(", ")}, then connected to ${first.remoteIp}:${first.remotePort}${notes.port} ${delay} later${notes.image}; ${windowed.length} connection(s) within ${windowMinutes} min of a load.`,
    eventIds: citedEventIds(loads, windowed),
  };
}

export const cryptoLoadThenConnect: EvidenceModule = (candidate, { settings, standardPorts }) => {
  const windowed = correlatedConnections(candidate, standardPorts);
  if (windowed.length === 0) return null;
  return {
    rule: "crypto-load-then-connect",
    reasons: [loadThenConnectReason("crypto-load-then-connect", candidate, windowed, settings.correlationWindowMinutes, { port: " (non-standard port)", image: "" })],
  };
};
