/** Events Sysmon dated before their own process's creation, placed by the collector's clock at ingest (lib/ingest/sysmon-clock). */
import { MICROS_PER_SECOND, parseIsoTimestamp } from "../../telemetry/iso-timestamp";
import { formatSeconds } from "../format-seconds";
import { citedEventIds, type EvidenceModule } from "./evidence-module";

export const clock: EvidenceModule = ({ loads, connections }) => {
  const placed = [...loads, ...connections].filter((event) => event.clockCorrectedFrom !== null);
  if (placed.length === 0) return null;
  // A loop, not Math.max(...spread): a chatty process can have more placed events than a call takes arguments.
  let earliestBy = 0;
  for (const event of placed) earliestBy = Math.max(earliestBy, event.timeUs - (parseIsoTimestamp(event.clockCorrectedFrom as string)?.us ?? event.timeUs));
  return {
    rule: null,
    reasons: [
      {
        kind: "clock",
        text: `Clock: Sysmon dated ${placed.length} of its events before its own process was created (up to ${formatSeconds(earliestBy / MICROS_PER_SECOND)} early); they are placed by the collector's time, less this host's offset for process creations.`,
        eventIds: citedEventIds(placed),
      },
    ],
  };
};
