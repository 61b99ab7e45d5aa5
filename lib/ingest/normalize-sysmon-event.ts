/**
 * Validates one Sysmon event record and maps process creations (event 1), network connections
 * (3) and image loads (7) to the normalised event model. Two record shapes are read:
 *
 * - flat records with Sysmon's own field names at the top level (OTRF Security-Datasets JSON
 *   lines, nxlog, and the rows read from `wevtutil` XML);
 * - ECS records from Winlogbeat 7/8 or Elastic Agent, where Sysmon's fields sit under
 *   `winlog.event_data` and ECS copies them to `process.*`, `destination.*` and so on. Shippers
 *   write these either as nested objects or as dotted keys; both are read.
 *
 * Other Sysmon events and other channels in the same file (Security, PowerShell) are ignored.
 */
import { z } from "zod";
import { parseIsoTimestamp, type ParsedTimestamp } from "../telemetry/iso-timestamp";
import { UNKNOWN_EVENT_FIELDS, type TelemetryEvent, type TelemetryKind } from "../telemetry/telemetry-event";
import type { NormalizedRow } from "./normalize-mde-row";

interface SysmonEventMapping {
  kind: TelemetryKind;
  description: string;
  /** Fields without which the event says nothing detection can use. */
  required: readonly SysmonField[];
}

const MAPPING_BY_EVENT_ID: Record<number, SysmonEventMapping> = {
  1: { kind: "process", description: "process creation", required: ["Image", "ProcessId"] },
  3: { kind: "network", description: "network connection", required: ["ProcessId", "DestinationIp"] },
  7: { kind: "image_load", description: "image loaded", required: ["ImageLoaded", "ProcessId"] },
};

const EVENT_ID_PATHS = ["EventID", "winlog.event_id", "event.code"];

/** Fields that name the log or provider: a record naming any of them is Sysmon only if one says so. */
const SOURCE_NAME_PATHS = [
  "Channel",
  "SourceName",
  "ProviderName",
  "winlog.channel",
  "winlog.provider_name",
  "event.module",
  "event.provider",
  "event.dataset",
];

/** Sysmon's field as the flat record names it, in ECS's event_data copy first, then ECS's own copies. */
function sysmonField(name: string, ...ecsPaths: string[]): string[] {
  return [`winlog.event_data.${name}`, name, ...ecsPaths];
}

/** Where each field is read from, best first. */
const FIELD_PATHS = {
  UtcTime: sysmonField("UtcTime"),
  // Winlogbeat's host.name is the shipping host, which is the collector when events are forwarded.
  Computer: ["Hostname", "Computer", "winlog.computer_name", "host.name"],
  Image: sysmonField("Image", "process.executable"),
  ProcessId: sysmonField("ProcessId", "process.pid"),
  ProcessGuid: sysmonField("ProcessGuid", "process.entity_id"),
  User: sysmonField("User", "user.name"),
  Hashes: sysmonField("Hashes"),
  CommandLine: sysmonField("CommandLine", "process.command_line"),
  ParentImage: sysmonField("ParentImage", "process.parent.executable"),
  ParentProcessId: sysmonField("ParentProcessId", "process.parent.pid"),
  ParentProcessGuid: sysmonField("ParentProcessGuid", "process.parent.entity_id"),
  ParentCommandLine: sysmonField("ParentCommandLine", "process.parent.command_line"),
  ParentUser: sysmonField("ParentUser"),
  ImageLoaded: sysmonField("ImageLoaded", "dll.path", "file.path"),
  Initiated: sysmonField("Initiated"),
  Protocol: sysmonField("Protocol", "network.transport"),
  SourceIp: sysmonField("SourceIp", "source.ip"),
  SourcePort: sysmonField("SourcePort", "source.port"),
  DestinationIp: sysmonField("DestinationIp", "destination.ip"),
  DestinationPort: sysmonField("DestinationPort", "destination.port"),
  DestinationHostname: sysmonField("DestinationHostname", "destination.domain"),
  // The event's number in the log that recorded it, part of its identity: event XML's and .evtx's
  // System/EventRecordID (not the renumbered record header), nxlog's RecordNumber, Winlogbeat's.
  EventRecordID: ["EventRecordID", "RecordNumber", "winlog.record_id"],
} as const;

type SysmonField = keyof typeof FIELD_PATHS;

/** ECS's network.direction stands in for a missing Initiated; other directions say nothing about it. */
const INITIATED_BY_NETWORK_DIRECTION: Record<string, boolean> = { outbound: true, egress: true, inbound: false, ingress: false };

/**
 * When the collector logged the event. TimeCreated and @timestamp carry a zone; nxlog's EventTime
 * is the collector's local time without one, so it is kept as given and never read as UTC.
 */
const LOGGED_TIME_SOURCES = [
  { path: "TimeCreated", utc: true },
  { path: "@timestamp", utc: true },
  { path: "EventTime", utc: false },
] as const;

function isAbsent(value: unknown): boolean {
  return value === null || value === undefined || value === "";
}

/** Empty values are "no value"; everything else is text, kept exactly as written. */
const optionalText = z.preprocess(
  (value) => (isAbsent(value) ? null : typeof value === "object" ? JSON.stringify(value) : String(value)),
  z.string().nullable(),
);

/** Sysmon writes "-" where it has no value (DestinationHostname, unresolvable users). */
const optionalTextWithPlaceholder = z.preprocess((value) => (value === "-" ? null : value), optionalText);

const DECIMAL_PATTERN = /^[+-]?\d+(?:\.\d+)?$/;

function optionalInteger(max: number) {
  return z.preprocess(
    // Only plain decimals: Number() would also read "0x1F" and "1e3".
    (value) => (isAbsent(value) ? null : typeof value === "string" ? (DECIMAL_PATTERN.test(value.trim()) ? Number(value.trim()) : Number.NaN) : value),
    z
      .number({ error: "expected a number" })
      .int({ error: "expected a whole number" })
      .min(0, { error: "must not be negative" })
      .max(max, { error: `must be at most ${max}` })
      .nullable(),
  );
}

const BOOLEAN_BY_TEXT: Record<string, boolean> = { true: true, false: false };

const optionalBoolean = z.preprocess(
  (value) => (isAbsent(value) ? null : typeof value === "string" ? (BOOLEAN_BY_TEXT[value.trim().toLowerCase()] ?? value) : value),
  z.boolean({ error: "expected true or false" }).nullable(),
);

const optionalTimestamp = z.preprocess(
  // Unreadable text becomes undefined, which .nullable() refuses, rather than null, which it accepts.
  (value) => (isAbsent(value) ? null : typeof value === "string" ? (parseIsoTimestamp(value) ?? undefined) : undefined),
  z.object({ text: z.string(), us: z.number() }, { error: "expected a timestamp like 2023-08-16 00:34:54.945" }).nullable(),
);

/** A log's record number, written alike whatever the form: digits without leading zeros; anything else is no number. */
const recordId = z.preprocess((value) => {
  const digits = isAbsent(value) ? "" : String(value).trim();
  return /^\d+$/.test(digits) ? digits.replace(/^0+(?=\d)/, "") : null;
}, z.string().nullable());

const requiredText = z.preprocess((value) => (isAbsent(value) ? "" : String(value).trim()), z.string().min(1, { error: "is required" }));

const sysmonFieldsSchema = z.object({
  UtcTime: optionalTimestamp,
  Computer: requiredText,
  Image: optionalText,
  ProcessId: optionalInteger(2 ** 32),
  ProcessGuid: optionalText,
  User: optionalTextWithPlaceholder,
  Hashes: optionalText,
  CommandLine: optionalText,
  ParentImage: optionalText,
  ParentProcessId: optionalInteger(2 ** 32),
  ParentProcessGuid: optionalText,
  ParentCommandLine: optionalText,
  ParentUser: optionalTextWithPlaceholder,
  ImageLoaded: optionalText,
  Initiated: optionalBoolean,
  Protocol: optionalText,
  SourceIp: optionalText,
  SourcePort: optionalInteger(65535),
  DestinationIp: optionalText,
  DestinationPort: optionalInteger(65535),
  DestinationHostname: optionalTextWithPlaceholder,
  EventRecordID: recordId,
} satisfies Record<SysmonField, z.ZodType>);

type SysmonFields = z.infer<typeof sysmonFieldsSchema>;

export function isSysmonRecord(record: Record<string, unknown>): boolean {
  const sourceNames = SOURCE_NAME_PATHS.map((path) => readPath(record, path)).filter((value): value is string => typeof value === "string" && value !== "");
  if (sourceNames.length > 0) return sourceNames.some((name) => /sysmon/i.test(name));
  // No channel or provider named at all: an event id with Sysmon's own UtcTime field is Sysmon's.
  return firstPresent(record, EVENT_ID_PATHS) !== undefined && firstPresent(record, FIELD_PATHS.UtcTime) !== undefined;
}

export function normalizeSysmonRecord(record: Record<string, unknown>): NormalizedRow {
  if (!isSysmonRecord(record)) return { outcome: "ignored" };
  const eventIdSource = firstPresent(record, EVENT_ID_PATHS);
  if (eventIdSource === undefined) return { outcome: "rejected", message: "EventID: is required" };
  const eventId = readEventId(eventIdSource.value);
  if (eventId === null) return { outcome: "rejected", message: `${eventIdSource.path}: expected a whole number${describeValue(eventIdSource.value)}` };
  const mapping = MAPPING_BY_EVENT_ID[eventId];
  if (mapping === undefined) return { outcome: "ignored" };

  const sources = resolveFields(record);
  const input = Object.fromEntries(Object.entries(sources).map(([field, source]) => [field, source.value]));
  const parsed = sysmonFieldsSchema.safeParse(input);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => {
        const source = sources[issue.path[0] as SysmonField];
        return `${source?.path ?? String(issue.path[0])}: ${issue.message}${describeValue(source?.value)}`;
      })
      .join("; ");
    return { outcome: "rejected", message };
  }
  const fields = parsed.data;
  const missing = mapping.required.filter((field) => fields[field] === null);
  if (missing.length > 0) {
    return { outcome: "rejected", message: `${missing.join(", ")}: required for Sysmon event ${eventId} (${mapping.description})` };
  }
  const loggedAt = readLoggedAt(record);
  // Without UtcTime the log's own time is the best estimate of the event time; it may be off by
  // the collector's clock skew, which is why UtcTime always wins when present.
  const time = fields.UtcTime ?? loggedAt.utc;
  if (time === null) {
    return { outcome: "rejected", message: "UtcTime: is required (no TimeCreated or @timestamp to fall back on)" };
  }
  return { outcome: "event", event: toEvent(mapping.kind, fields, time, loggedAt.text) };
}

interface FieldSource {
  path: string;
  value: unknown;
}

function resolveFields(record: Record<string, unknown>): Partial<Record<SysmonField, FieldSource>> {
  const sources: Partial<Record<SysmonField, FieldSource>> = {};
  for (const field of Object.keys(FIELD_PATHS) as SysmonField[]) {
    const source = firstPresent(record, FIELD_PATHS[field]);
    if (source) sources[field] = source;
  }
  if (!sources.Initiated) {
    const direction = readPath(record, "network.direction");
    const initiated = typeof direction === "string" ? INITIATED_BY_NETWORK_DIRECTION[direction.toLowerCase()] : undefined;
    if (initiated !== undefined) sources.Initiated = { path: "network.direction", value: initiated };
  }
  return sources;
}

function readEventId(value: unknown): number | null {
  const id = typeof value === "string" ? (/^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN) : value;
  return typeof id === "number" && Number.isSafeInteger(id) ? id : null;
}

/** The first log time present, as text (normalised when readable), and the first one readable as UTC. */
function readLoggedAt(record: Record<string, unknown>): { text: string | null; utc: ParsedTimestamp | null } {
  let text: string | null = null;
  for (const { path, utc } of LOGGED_TIME_SOURCES) {
    const value = readPath(record, path);
    if (typeof value !== "string" || value.trim() === "") continue;
    const parsed = utc ? parseIsoTimestamp(value) : null;
    if (parsed) return { text: text ?? parsed.text, utc: parsed };
    text ??= value;
  }
  return { text, utc: null };
}

function firstPresent(record: Record<string, unknown>, paths: readonly string[]): FieldSource | undefined {
  for (const path of paths) {
    const value = readPath(record, path);
    if (!isAbsent(value)) return { path, value };
  }
  return undefined;
}

/**
 * A dotted path read through nested objects, dotted keys, or any mix of the two
 * ({"winlog": {"event_data.Image": ...}}). Only own properties count, so "constructor" is no field.
 */
function readPath(value: unknown, path: string): unknown {
  if (!isRecord(value)) return undefined;
  if (Object.hasOwn(value, path)) return value[path];
  for (let dot = path.indexOf("."); dot !== -1; dot = path.indexOf(".", dot + 1)) {
    const head = path.slice(0, dot);
    if (!Object.hasOwn(value, head)) continue;
    const found = readPath(value[head], path.slice(dot + 1));
    if (found !== undefined) return found;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a message shows of a value it refuses: ` (got "…")`, at most 40 characters, or nothing for no value. */
export function describeValue(value: unknown): string {
  if (isAbsent(value)) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return ` (got "${text.length > 40 ? `${text.slice(0, 40)}…` : text}")`;
}

/** The file name of a Windows or POSIX path. */
function baseName(path: string | null): string | null {
  if (path === null) return null;
  return path.slice(Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/")) + 1) || null;
}

/** The SHA256 of Sysmon's "SHA1=…,MD5=…,SHA256=…,IMPHASH=…" list, as written. */
function sha256Of(hashes: string | null): string | null {
  if (hashes === null) return null;
  for (const entry of hashes.split(",")) {
    const separator = entry.indexOf("=");
    if (separator !== -1 && entry.slice(0, separator).trim().toUpperCase() === "SHA256") return entry.slice(separator + 1).trim() || null;
  }
  return null;
}

function toEvent(kind: TelemetryKind, fields: SysmonFields, time: ParsedTimestamp, loggedAt: string | null): TelemetryEvent {
  const base: TelemetryEvent = {
    ...UNKNOWN_EVENT_FIELDS,
    kind,
    timestamp: time.text,
    timeUs: time.us,
    deviceName: fields.Computer,
    actionType: "",
    // Events 3 and 7 are about the process that loads or connects: Sysmon's Image is the initiator.
    initiatingProcessFileName: baseName(fields.Image),
    initiatingProcessFolderPath: fields.Image,
    initiatingProcessId: fields.ProcessId,
    // No initiatingProcessCreationTime: Sysmon gives the ProcessGuid, which identifies the process better than PID + time.
    initiatingProcessAccountName: fields.User,
    initiatingProcessGuid: fields.ProcessGuid,
    reportId: fields.EventRecordID,
    loggedAt,
    source: "sysmon",
  };
  if (kind === "image_load") {
    // Event 7's Hashes are the loaded image's, like Defender's SHA256 column of DeviceImageLoadEvents.
    return { ...base, actionType: "ImageLoaded", fileName: baseName(fields.ImageLoaded), folderPath: fields.ImageLoaded, sha256: sha256Of(fields.Hashes) };
  }
  if (kind === "network") {
    return {
      ...base,
      // Detection reads ConnectionSuccess as outbound: an accepted inbound connection must not look like one.
      actionType: fields.Initiated === true ? "ConnectionSuccess" : "InboundConnectionAccepted",
      remoteIp: fields.DestinationIp,
      remotePort: fields.DestinationPort,
      remoteUrl: fields.DestinationHostname,
      localIp: fields.SourceIp,
      localPort: fields.SourcePort,
      protocol: fields.Protocol,
    };
  }
  return {
    ...base,
    actionType: "ProcessCreated",
    fileName: baseName(fields.Image),
    folderPath: fields.Image,
    processId: fields.ProcessId,
    processCommandLine: fields.CommandLine,
    processCreationTime: time.text,
    accountName: fields.User,
    sha256: sha256Of(fields.Hashes),
    processGuid: fields.ProcessGuid,
    initiatingProcessFileName: baseName(fields.ParentImage),
    initiatingProcessFolderPath: fields.ParentImage,
    initiatingProcessId: fields.ParentProcessId,
    initiatingProcessCommandLine: fields.ParentCommandLine,
    initiatingProcessAccountName: fields.ParentUser,
    initiatingProcessGuid: fields.ParentProcessGuid,
  };
}
