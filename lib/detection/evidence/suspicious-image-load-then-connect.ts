/**
 * The correlation on a standard port too (a payload reaching 8443 or 443), when the image itself
 * is suspicious: its lineage, its name, or a staging folder. A user-writable folder alone is not
 * enough: per-user installs (OneDrive, Teams) load crypto DLLs and reach 443 all day.
 */
import { runsFromStagingFolder } from "../process-lineage";
import { correlatedConnections, loadThenConnectReason } from "./crypto-load-then-connect";
import type { CandidateProcess, EvidenceModule } from "./evidence-module";

function isSuspiciousImage(candidate: Pick<CandidateProcess, "lineageFlags" | "image">): boolean {
  return candidate.lineageFlags.some((flag) => flag.id !== "user-writable-path") || runsFromStagingFolder(candidate.image);
}

export const suspiciousImageLoadThenConnect: EvidenceModule = (candidate, { settings, standardPorts }) => {
  // Rule 1 covers the non-standard ports.
  if (candidate.afterLoad.length === 0 || correlatedConnections(candidate, standardPorts).length > 0 || !isSuspiciousImage(candidate)) return null;
  return {
    rule: "suspicious-image-load-then-connect",
    reasons: [
      loadThenConnectReason("suspicious-image-load-then-connect", candidate, candidate.afterLoad, settings.correlationWindowMinutes, {
        port: "",
        image: ", from an image with suspicious lineage or location",
      }),
    ],
  };
};
