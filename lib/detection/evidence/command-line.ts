/** Command-line indicators (command-line-indicators): reasons only; they raise the severity. */
import { contextEventIds, type EvidenceModule } from "./evidence-module";

export const commandLine: EvidenceModule = (candidate) =>
  candidate.commandLineIndicators.length === 0
    ? null
    : {
        rule: null,
        reasons: candidate.commandLineIndicators.map((indicator) => ({
          kind: "command-line" as const,
          text: `Command line: ${indicator.label} (${indicator.evidence})`,
          eventIds: contextEventIds(candidate),
        })),
      };
