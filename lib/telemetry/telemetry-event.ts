/**
 * The normalised event model every source maps into. Field names follow Microsoft Defender's
 * Advanced Hunting columns (camel-cased) because the seed query is written against them.
 */
export type TelemetryKind = "image_load" | "network" | "process";

export const MDE_TABLE_BY_KIND: Record<TelemetryKind, string> = {
  image_load: "DeviceImageLoadEvents",
  network: "DeviceNetworkEvents",
  process: "DeviceProcessEvents",
};

export interface TelemetryEvent {
  /** Database id once stored; detection evidence points back at it. */
  id?: number;
  kind: TelemetryKind;
  /** Normalised ISO text with 7 fractional digits. */
  timestamp: string;
  /** Microseconds since the epoch. */
  timeUs: number;
  deviceId: string | null;
  deviceName: string;
  actionType: string;
  /** The loaded image (image loads) or the created process's file (process events). */
  fileName: string | null;
  folderPath: string | null;
  processId: number | null;
  processCommandLine: string | null;
  processCreationTime: string | null;
  accountName: string | null;
  sha256: string | null;
  remoteIp: string | null;
  remotePort: number | null;
  remoteIpType: string | null;
  remoteUrl: string | null;
  localIp: string | null;
  localPort: number | null;
  protocol: string | null;
  /** Not in MDE's documented schema; null means unknown, never zero. */
  sentBytes: number | null;
  receivedBytes: number | null;
  initiatingProcessFileName: string | null;
  initiatingProcessFolderPath: string | null;
  initiatingProcessId: number | null;
  initiatingProcessCommandLine: string | null;
  initiatingProcessCreationTime: string | null;
  initiatingProcessAccountName: string | null;
  initiatingProcessSHA256: string | null;
  initiatingProcessParentFileName: string | null;
  initiatingProcessParentId: number | null;
  reportId: string | null;
  /** Sysmon's ProcessGuid of the process the event is about (process events) / of the initiating process. */
  processGuid: string | null;
  initiatingProcessGuid: string | null;
  /** When the collector logged the event (Sysmon TimeCreated / @timestamp), kept beside the event time. */
  loggedAt: string | null;
  /**
   * Sysmon's own UtcTime when it contradicted the event's process and the event was placed by the
   * collector's time instead (lib/ingest/sysmon-clock); null when the time is the source's.
   */
  clockCorrectedFrom: string | null;
  /** Where the row came from: "mde" or "sysmon". */
  source: "mde" | "sysmon";
}

/** Every optional field unknown: builders spread this and set what their source knows. */
export const UNKNOWN_EVENT_FIELDS = {
  deviceId: null,
  fileName: null,
  folderPath: null,
  processId: null,
  processCommandLine: null,
  processCreationTime: null,
  accountName: null,
  sha256: null,
  remoteIp: null,
  remotePort: null,
  remoteIpType: null,
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
  clockCorrectedFrom: null,
} as const satisfies Omit<TelemetryEvent, "id" | "kind" | "timestamp" | "timeUs" | "deviceName" | "actionType" | "source">;
