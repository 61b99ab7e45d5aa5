/** Builds hand-written events for unit tests: only the fields a case cares about need spelling out. */
import { parseIsoTimestamp } from "./iso-timestamp";
import type { TelemetryEvent, TelemetryKind } from "./telemetry-event";

export type TestEventInput = Partial<Omit<TelemetryEvent, "timestamp" | "timeUs" | "kind">> & { at: string };

export function buildTestEvent(kind: TelemetryKind, input: TestEventInput): TelemetryEvent {
  const { at, ...fields } = input;
  const parsed = parseIsoTimestamp(at);
  if (!parsed) throw new Error(`bad test timestamp ${at}`);
  return {
    kind,
    timestamp: parsed.text,
    timeUs: parsed.us,
    deviceId: null,
    deviceName: "ws-01",
    actionType: kind === "image_load" ? "ImageLoaded" : kind === "network" ? "ConnectionSuccess" : "ProcessCreated",
    fileName: null,
    folderPath: null,
    processId: null,
    processCommandLine: null,
    processCreationTime: null,
    accountName: null,
    sha256: null,
    remoteIp: null,
    remotePort: null,
    remoteIpType: kind === "network" ? "Public" : null,
    remoteUrl: null,
    localIp: null,
    localPort: null,
    protocol: null,
    sentBytes: null,
    receivedBytes: null,
    initiatingProcessFileName: null,
    initiatingProcessFolderPath: null,
    initiatingProcessId: null,
    initiatingProcessCommandLine: null,
    initiatingProcessCreationTime: null,
    initiatingProcessAccountName: null,
    initiatingProcessSHA256: null,
    initiatingProcessParentFileName: null,
    initiatingProcessParentId: null,
    reportId: null,
    processGuid: null,
    initiatingProcessGuid: null,
    loggedAt: null,
    source: "mde",
    ...fields,
  };
}
