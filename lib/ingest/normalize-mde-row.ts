/**
 * Validates one Defender Advanced Hunting row (any of the three tables) and maps it to the
 * normalised event model. The table is recognised per row from ActionType, so an export of a
 * union query that mixes tables works too; rows of tables we do not analyse are ignored.
 */
import { parseIsoTimestamp, type ParsedTimestamp } from "../telemetry/iso-timestamp";
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

export const PID_MAX = 2 ** 32;
export const PORT_MAX = 65535;

/** The whole-number columns and their largest accepted value; every other column is text. */
const INTEGER_COLUMN_MAX = {
  ProcessId: PID_MAX,
  RemotePort: PORT_MAX,
  LocalPort: PORT_MAX,
  SentBytes: Number.MAX_SAFE_INTEGER,
  ReceivedBytes: Number.MAX_SAFE_INTEGER,
  InitiatingProcessId: PID_MAX,
  InitiatingProcessParentId: PID_MAX,
} as const;

/** The columns that make a file Defender telemetry at all. */
export const REQUIRED_MDE_COLUMNS = ["Timestamp", "DeviceName", "ActionType"] as const;

export type NormalizedRow =
  | { outcome: "event"; event: TelemetryEvent }
  | { outcome: "ignored" }
  | { outcome: "rejected"; message: string };

/**
 * Hand-written rather than a zod schema: this runs once per row of multi-gigabyte uploads, and
 * building no intermediate objects is what keeps ingestion near SQLite's own insert speed.
 * Every problem of a row is reported, in column order, as `Column: problem (got "value")`.
 */
export function normalizeMdeRow(record: Record<string, unknown>): NormalizedRow {
  // Rows of other tables (email, registry, alerts...) in a mixed export are skipped before
  // validation: their shape is not ours to judge.
  const actionType = requiredText(record.ActionType);
  if (actionType !== null && kindOfActionType(actionType) === null) return { outcome: "ignored" };
  const problems = new RowProblems(record);
  const timestamp = typeof record.Timestamp === "string" ? parseIsoTimestamp(record.Timestamp) : null;
  if (timestamp === null) problems.add("Timestamp", "expected an ISO 8601 timestamp");
  const deviceName = requiredText(record.DeviceName);
  if (deviceName === null) problems.add("DeviceName", "is required");
  if (actionType === null) problems.add("ActionType", "is required");
  const processId = optionalInteger(record, "ProcessId", problems);
  const remotePort = optionalInteger(record, "RemotePort", problems);
  const localPort = optionalInteger(record, "LocalPort", problems);
  const sentBytes = optionalInteger(record, "SentBytes", problems);
  const receivedBytes = optionalInteger(record, "ReceivedBytes", problems);
  const initiatingProcessId = optionalInteger(record, "InitiatingProcessId", problems);
  const initiatingProcessParentId = optionalInteger(record, "InitiatingProcessParentId", problems);
  if (problems.message !== null) return { outcome: "rejected", message: problems.message };

  const kind = kindOfActionType(actionType as string) as TelemetryKind;
  const fileName = optionalText(record.FileName);
  // Pushed one by one, not spread from temporary arrays: this runs for every row.
  const missing: string[] = [];
  if (kind !== "network" && fileName === null) missing.push("FileName");
  if (kind === "process" && processId === null) missing.push("ProcessId");
  if (kind !== "process" && initiatingProcessId === null) missing.push("InitiatingProcessId");
  if (missing.length > 0) return { outcome: "rejected", message: `${missing.join(", ")}: required for ${actionType} rows` };
  return {
    outcome: "event",
    event: {
      kind,
      timestamp: (timestamp as ParsedTimestamp).text,
      timeUs: (timestamp as ParsedTimestamp).us,
      deviceId: optionalText(record.DeviceId),
      deviceName: deviceName as string,
      actionType: actionType as string,
      fileName,
      folderPath: optionalText(record.FolderPath),
      processId,
      processCommandLine: optionalText(record.ProcessCommandLine),
      processCreationTime: optionalText(record.ProcessCreationTime),
      accountName: optionalText(record.AccountName),
      sha256: optionalText(record.SHA256),
      remoteIp: optionalText(record.RemoteIP),
      remotePort,
      remoteIpType: optionalText(record.RemoteIPType),
      remoteUrl: optionalText(record.RemoteUrl),
      localIp: optionalText(record.LocalIP),
      localPort,
      protocol: optionalText(record.Protocol),
      sentBytes,
      receivedBytes,
      initiatingProcessFileName: optionalText(record.InitiatingProcessFileName),
      initiatingProcessFolderPath: optionalText(record.InitiatingProcessFolderPath),
      initiatingProcessId,
      initiatingProcessCommandLine: optionalText(record.InitiatingProcessCommandLine),
      initiatingProcessCreationTime: optionalText(record.InitiatingProcessCreationTime),
      initiatingProcessAccountName: optionalText(record.InitiatingProcessAccountName),
      initiatingProcessSHA256: optionalText(record.InitiatingProcessSHA256),
      initiatingProcessParentFileName: optionalText(record.InitiatingProcessParentFileName),
      initiatingProcessParentId,
      reportId: optionalText(record.ReportId),
      processGuid: null,
      initiatingProcessGuid: null,
      loggedAt: null,
      clockCorrectedFrom: null,
      source: "mde",
    },
  };
}

/** Collects a row's problems; the message stays null while there are none. */
class RowProblems {
  message: string | null = null;

  constructor(private readonly record: Record<string, unknown>) {}

  add(column: string, problem: string): void {
    const entry = `${column}: ${problem}${describeValue(this.record[column])}`;
    this.message = this.message === null ? entry : `${this.message}; ${entry}`;
  }
}

/** Empty cells and JSON nulls are "no value"; everything else is read as text. */
function optionalText(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string") return value;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function requiredText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = (typeof value === "string" ? value : String(value)).trim();
  return text === "" ? null : text;
}

/** A whole number in [0, the column's maximum] from a number or its text; blank is no value. */
function optionalInteger(record: Record<string, unknown>, column: keyof typeof INTEGER_COLUMN_MAX, problems: RowProblems): number | null {
  const value = record[column];
  const max = INTEGER_COLUMN_MAX[column];
  if (value === null || value === undefined) return null;
  let number = value;
  if (typeof value === "string") {
    const text = value.trim();
    if (text === "") return null;
    number = Number(text);
  }
  if (typeof number !== "number" || !Number.isFinite(number)) {
    problems.add(column, "expected a number");
    return null;
  }
  if (!Number.isInteger(number)) problems.add(column, "expected a whole number");
  if (number < 0) problems.add(column, "must not be negative");
  if (number > max) problems.add(column, `must be at most ${max}`);
  return number;
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  const text = String(value);
  return ` (got "${text.length > 40 ? `${text.slice(0, 40)}…` : text}")`;
}
