/** Suspicious lineage or location (process-lineage's flags): reasons only; they raise the severity and qualify other rules. */
import { contextEventIds, type EvidenceModule } from "./evidence-module";

export const lineage: EvidenceModule = (candidate) =>
  candidate.lineageFlags.length === 0
    ? null
    : { rule: null, reasons: candidate.lineageFlags.map((flag) => ({ kind: "lineage" as const, text: `${flag.label}: ${flag.detail}`, eventIds: contextEventIds(candidate) })) };
