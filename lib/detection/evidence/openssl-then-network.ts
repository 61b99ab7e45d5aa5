/** Rule 3 (Linux, Atomic test 4): openssl encryption shortly before a network tool connects out. */
import { MICROS_PER_SECOND } from "../../telemetry/iso-timestamp";
import { countLeading } from "../count-leading";
import type { DetectionEvent } from "../detection-event";
import { formatSeconds } from "../format-seconds";
import { caseInsensitiveSet } from "../kusto-functions";
import { citedEventIds, type EvidenceModule } from "./evidence-module";

/** The network tools of the openssl rule, and openssl itself (compared case-insensitively). */
export const NETWORK_TOOL_NAMES = ["nc", "ncat", "netcat", "socat", "curl", "wget", "nc.exe", "ncat.exe", "socat.exe", "curl.exe", "wget.exe"];
export const OPENSSL_NAMES = ["openssl", "openssl.exe"];
const NETWORK_TOOLS = caseInsensitiveSet(NETWORK_TOOL_NAMES);

/** The openssl run the rule cites for a connection: the latest at or before it, at most `windowUs` earlier. */
function findOpensslBefore(runs: readonly DetectionEvent[], connectionUs: number, windowUs: number): DetectionEvent | null {
  const latest = runs[countLeading(runs, (run) => run.timeUs <= connectionUs) - 1];
  return latest !== undefined && connectionUs - latest.timeUs <= windowUs ? latest : null;
}

export const opensslThenNetwork: EvidenceModule = ({ identity, connections, opensslRuns }, { settings }) => {
  if (!NETWORK_TOOLS.has(identity.processName)) return null;
  const [first] = connections;
  const opensslRun = findOpensslBefore(opensslRuns, first.timeUs, settings.opensslWindowSeconds * MICROS_PER_SECOND);
  if (!opensslRun) return null;
  return {
    rule: "openssl-then-network",
    reasons: [
      {
        kind: "openssl-then-network",
        text: `${opensslRun.processCommandLine ?? "openssl enc"} ran ${formatSeconds((first.timeUs - opensslRun.timeUs) / MICROS_PER_SECOND)} before ${identity.processName} connected to ${first.remoteIp}:${first.remotePort}.`,
        eventIds: citedEventIds([opensslRun], [first]),
      },
    ],
  };
};
