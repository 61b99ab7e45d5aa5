/**
 * Validates one Defender Advanced Hunting row (any of the three tables) and maps it to the
 * normalised event model. The table is recognised per row from ActionType, so an export of a
 * union query that mixes tables works too; rows of tables we do not analyse are ignored.
 */
import { z } from "zod";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import type { TelemetryEvent, TelemetryKind } from "../telemetry/telemetry-event";

const NETWORK_ACTION_TYPES = new Set([
  "ConnectionSuccess",
  "ConnectionFailed",
  "ConnectionRequest",
  "ConnectionFound",
  "ConnectionAttempt",
  "ConnectionAcknowledged",
  "InboundConnectionAccepted",
  "ListeningConnectionCreated",
]);

export function kindOfActionType(actionType: string): TelemetryKind | null {
  if (actionType === "ImageLoaded") return "image_load";
  if (actionType === "ProcessCreated") return "process";
  if (NETWORK_ACTION_TYPES.has(actionType)) return "network";
  return null;
}

/** Empty cells and JSON nulls are "no value"; everything else is read as text. */
const optionalText = z.preprocess(
  (value) => (value === null || value === undefined || value === "" ? null : typeof value === "object" ? JSON.stringify(value) : String(value)),
  z.string().nullable(),
);

function optionalInteger(max: number) {
  return z.preprocess(
    (value) => (value === null || value === undefined || value === "" ? null : typeof value === "string" ? Number(value.trim()) : value),
    z
      .number({ error: "expected a number" })
      .int({ error: "expected a whole number" })
      .min(0, { error: "must not be negative" })
      .max(max, { error: `must be at most ${max}` })
      .nullable(),
  );
}

const requiredText = z.preprocess(
  (value) => (value === null || value === undefined ? "" : String(value).trim()),
  z.string().min(1, { error: "is required" }),
);

const timestampSchema = z.preprocess(
  (value) => (typeof value === "string" ? parseIsoTimestamp(value) : null),
  z.object({ text: z.string(), us: z.number() }, { error: "expected an ISO 8601 timestamp" }),
);

export const mdeRowSchema = z.object({
  Timestamp: timestampSchema,
  DeviceId: optionalText,
  DeviceName: requiredText,
  ActionType: requiredText,
  FileName: optionalText,
  FolderPath: optionalText,
  ProcessId: optionalInteger(2 ** 32),
  ProcessCommandLine: optionalText,
  ProcessCreationTime: optionalText,
  AccountName: optionalText,
  SHA256: optionalText,
  RemoteIP: optionalText,
  RemotePort: optionalInteger(65535),
  RemoteIPType: optionalText,
  RemoteUrl: optionalText,
  LocalIP: optionalText,
  LocalPort: optionalInteger(65535),
  Protocol: optionalText,
  SentBytes: optionalInteger(Number.MAX_SAFE_INTEGER),
  ReceivedBytes: optionalInteger(Number.MAX_SAFE_INTEGER),
  InitiatingProcessFileName: optionalText,
  InitiatingProcessFolderPath: optionalText,
  InitiatingProcessId: optionalInteger(2 ** 32),
  InitiatingProcessCommandLine: optionalText,
  InitiatingProcessCreationTime: optionalText,
  InitiatingProcessAccountName: optionalText,
  InitiatingProcessSHA256: optionalText,
  InitiatingProcessParentFileName: optionalText,
  InitiatingProcessParentId: optionalInteger(2 ** 32),
  ReportId: optionalText,
});

export type MdeRow = z.infer<typeof mdeRowSchema>;

/** The columns that make a file Defender telemetry at all. */
export const REQUIRED_MDE_COLUMNS = ["Timestamp", "DeviceName", "ActionType"] as const;

export type NormalizedRow =
  | { outcome: "event"; event: TelemetryEvent }
  | { outcome: "ignored" }
  | { outcome: "rejected"; message: string };

export function normalizeMdeRow(record: Record<string, unknown>): NormalizedRow {
  // Rows of other tables (email, registry, alerts...) in a mixed export are skipped before
  // validation: their shape is not ours to judge.
  const actionType = typeof record.ActionType === "string" ? record.ActionType.trim() : "";
  if (actionType !== "" && kindOfActionType(actionType) === null) return { outcome: "ignored" };
  const parsed = mdeRowSchema.safeParse(record);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}${describeValue(record[String(issue.path[0])])}`)
      .join("; ");
    return { outcome: "rejected", message };
  }
  const row = parsed.data;
  const kind = kindOfActionType(row.ActionType);
  if (kind === null) return { outcome: "ignored" };
  const missing = requiredColumnsFor(kind).filter((column) => row[column] === null);
  if (missing.length > 0) {
    return { outcome: "rejected", message: `${missing.join(", ")}: required for ${row.ActionType} rows` };
  }
  return { outcome: "event", event: toEvent(kind, row) };
}

function requiredColumnsFor(kind: TelemetryKind): (keyof MdeRow)[] {
  if (kind === "image_load") return ["FileName", "InitiatingProcessId"];
  if (kind === "process") return ["FileName", "ProcessId"];
  return ["InitiatingProcessId"];
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  const text = String(value);
  return ` (got "${text.length > 40 ? `${text.slice(0, 40)}…` : text}")`;
}

function toEvent(kind: TelemetryKind, row: MdeRow): TelemetryEvent {
  return {
    kind,
    timestamp: row.Timestamp.text,
    timeUs: row.Timestamp.us,
    deviceId: row.DeviceId,
    deviceName: row.DeviceName,
    actionType: row.ActionType,
    fileName: row.FileName,
    folderPath: row.FolderPath,
    processId: row.ProcessId,
    processCommandLine: row.ProcessCommandLine,
    processCreationTime: row.ProcessCreationTime,
    accountName: row.AccountName,
    sha256: row.SHA256,
    remoteIp: row.RemoteIP,
    remotePort: row.RemotePort,
    remoteIpType: row.RemoteIPType,
    remoteUrl: row.RemoteUrl,
    localIp: row.LocalIP,
    localPort: row.LocalPort,
    protocol: row.Protocol,
    sentBytes: row.SentBytes,
    receivedBytes: row.ReceivedBytes,
    initiatingProcessFileName: row.InitiatingProcessFileName,
    initiatingProcessFolderPath: row.InitiatingProcessFolderPath,
    initiatingProcessId: row.InitiatingProcessId,
    initiatingProcessCommandLine: row.InitiatingProcessCommandLine,
    initiatingProcessCreationTime: row.InitiatingProcessCreationTime,
    initiatingProcessAccountName: row.InitiatingProcessAccountName,
    initiatingProcessSHA256: row.InitiatingProcessSHA256,
    initiatingProcessParentFileName: row.InitiatingProcessParentFileName,
    initiatingProcessParentId: row.InitiatingProcessParentId,
    reportId: row.ReportId,
    processGuid: null,
    initiatingProcessGuid: null,
    loggedAt: null,
    source: "mde",
  };
}
