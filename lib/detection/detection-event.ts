/**
 * What detection reads of an event: the fields both modes use, and nothing else. The store
 * selects exactly these columns for a run, so a field added here is read, and a mode that uses a
 * field not listed here does not compile.
 */
import type { TelemetryEvent } from "../telemetry/telemetry-event";

export const DETECTION_EVENT_FIELDS = [
  "id", "kind", "timestamp", "timeUs", "deviceId", "deviceName", "actionType", "fileName", "folderPath", "processId", "processCommandLine",
  "processCreationTime", "remoteIp", "remotePort", "remoteIpType", "remoteUrl", "sentBytes", "receivedBytes", "processGuid", "clockCorrectedFrom",
  "initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessCreationTime",
  "initiatingProcessAccountName", "initiatingProcessSHA256", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessGuid",
] as const satisfies readonly (keyof TelemetryEvent)[];

export type DetectionEvent = Pick<TelemetryEvent, (typeof DETECTION_EVENT_FIELDS)[number]>;
