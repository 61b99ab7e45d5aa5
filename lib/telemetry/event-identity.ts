/**
 * What makes two rows the same event, whichever file they came from: uploading the same export
 * twice, or two overlapping exports, must store each event once. Defender's ReportId is only
 * unique per device and time, so it is one part among several.
 */
import type { TelemetryEvent } from "./telemetry-event";

export function eventIdentity(event: TelemetryEvent): string {
  return JSON.stringify([
    event.source,
    event.kind,
    event.deviceId ?? event.deviceName,
    event.timestamp,
    event.actionType,
    event.reportId,
    event.initiatingProcessId,
    event.initiatingProcessCreationTime,
    event.initiatingProcessGuid,
    event.processId,
    event.processGuid,
    event.folderPath ?? event.fileName,
    event.remoteIp,
    event.remotePort,
    event.localIp,
    event.localPort,
  ]);
}
