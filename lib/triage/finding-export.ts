/**
 * The findings list as CSV for tickets and spreadsheets: one row per finding, with its triage.
 * Pure: the route reads the findings a slice at a time and streams what this module writes.
 */
import { stringify } from "csv-stringify/sync";
import { RULE_LABELS } from "../detection/default-detection";
import type { DefaultFindingSummary } from "../detection/finding-list";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import type { WithTriage } from "./triage-state";

/** A cell as csv-stringify takes it: null is an empty cell. */
export type CsvCell = string | number | null;

/** The list's items as the API yields them (allFindings): the finding, its id and its triage. */
export type ExportedDefaultFinding = WithTriage<{ id: string } & DefaultFindingSummary>;
export type ExportedSeedFinding = WithTriage<{ id: string } & SeedQueryRow>;

/** The seed query's output columns, in its own order and names: every one (the satisfies check fails when it gains one). */
const SEED_COLUMN_SET = {
  DeviceName: true,
  ProcessName: true,
  ProcessCmd: true,
  AccountName: true,
  ProcessSHA256: true,
  CryptoLibsLoaded: true,
  RemoteIPs: true,
  RemotePorts: true,
  ConnectionCount: true,
  TotalBytesSent: true,
  TotalBytesReceived: true,
  FirstConnection: true,
  LastConnection: true,
  DataTransferMB: true,
  DurationMinutes: true,
  AvgIntervalSeconds: true,
  BeaconLikely: true,
} as const satisfies Record<keyof SeedQueryRow, true>;
export const SEED_QUERY_COLUMNS = Object.keys(SEED_COLUMN_SET) as (keyof SeedQueryRow)[];

const TRIAGE_COLUMNS = ["status", "classification", "reason", "assignee", "tags"] as const;

const DEFAULT_COLUMNS = [
  "id",
  "severity",
  "confidence",
  "device",
  "process",
  "pid",
  "processCreationTime",
  "rules",
  "strongBeacon",
  "beaconScore",
  "connections",
  "destinations",
  "firstConnection",
  "lastConnection",
  "commandLine",
  "account",
  "sha256",
  ...TRIAGE_COLUMNS,
] as const;

/** The header row of a mode's CSV. */
export function findingCsvHeader(mode: "default" | "kql"): string[] {
  return mode === "kql" ? ["id", ...SEED_QUERY_COLUMNS, ...TRIAGE_COLUMNS] : [...DEFAULT_COLUMNS];
}

const yesNo = (value: boolean) => (value ? "yes" : "no");

function triageCells({ triage }: WithTriage<unknown>): CsvCell[] {
  return [triage.status, triage.classification, triage.reason, triage.assignee, triage.tags.join(", ")];
}

/** A default-mode finding's row, in findingCsvHeader("default")'s order. */
export function defaultFindingCsvRow(finding: ExportedDefaultFinding): CsvCell[] {
  const { process, connections } = finding;
  return [
    finding.id,
    finding.severity,
    finding.confidence,
    process.deviceName,
    process.processName,
    process.processId,
    process.processCreationTime,
    finding.rules.map((rule) => RULE_LABELS[rule]).join("; "),
    yesNo(finding.strongBeacon),
    finding.beacon?.score ?? null,
    connections.count,
    connections.destinations.map((d) => `${d.remoteIp}:${d.remotePort}`).join(" "),
    connections.firstConnection,
    connections.lastConnection,
    process.commandLine,
    process.accountName,
    process.sha256,
    ...triageCells(finding),
  ];
}

/** A seed query row's CSV row, in findingCsvHeader("kql")'s order. */
export function seedFindingCsvRow(finding: ExportedSeedFinding): CsvCell[] {
  const cells = SEED_QUERY_COLUMNS.map((column): CsvCell => {
    const value = finding[column];
    if (Array.isArray(value)) return value.join(" ");
    return typeof value === "boolean" ? yesNo(value) : value;
  });
  return [finding.id, ...cells, ...triageCells(finding)];
}

/**
 * Rows as CSV text. Cells hold attacker-chosen text (process names, command lines): csv-stringify
 * quotes what needs quoting, and prefixes ' to a text cell starting with = + - @ tab or CR, so a
 * spreadsheet shows it rather than running it as a formula (OWASP's CSV injection guidance).
 */
export function findingsCsv(rows: readonly CsvCell[][]): string {
  return stringify(rows as CsvCell[][], { escape_formulas: true });
}
