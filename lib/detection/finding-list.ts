/**
 * What the findings lists show of a finding: one flat row per finding, built when detection
 * stores it, so a page of a list is read, filtered and sorted by the database without loading
 * every finding of a run. Also the text a list's search matches, and the keys lists are ranked by.
 */
import { RULE_LABELS, type DefaultFinding, type DefaultFindingRank, type RuleId } from "./default-detection";
import { SEVERITY_ORDER, type Severity } from "./severity-model";
import { z } from "zod";
import type { SeedQueryRow } from "./seed-kql-query";
import { readTriageFilter, type TriageFilter } from "../triage/triage-filter";

/** A corrected finding as stored: everything but its evidence lists. */
export type DefaultFindingSummary = Omit<DefaultFinding, "loads" | "connectionEvents">;

/** Rules as the list names them. */
export const RULE_SHORT_LABELS: Record<RuleId, string> = {
  "crypto-load-then-connect": "crypto load → connect",
  "suspicious-image-load-then-connect": "crypto load → connect, suspicious image",
  "beacon-only": "strong beacon",
  "openssl-then-network": "openssl → network tool",
  "short-beacon": "short beacon, suspicious image",
};

/** A row of the corrected detection's list. */
export interface DefaultFindingListRow extends DefaultFindingRank {
  id: string;
  severityRank: number;
  rules: string;
  strongBeacon: "yes" | "no";
  medianInterval: number | null;
  connections: number;
  destinations: string;
  firstConnection: string;
  lastConnection: string;
  commandLine: string;
  account: string;
}

/** A row of the seed query's list: its columns, lists joined as the table shows them. */
export type SeedFindingListRow = Omit<SeedQueryRow, "CryptoLibsLoaded" | "RemoteIPs" | "RemotePorts"> & {
  id: string;
  CryptoLibsLoaded: string;
  RemoteIPs: string;
  RemotePorts: string;
  BeaconLikelyText: "yes" | "no";
};

export function defaultFindingListRow(id: string, finding: DefaultFindingSummary): DefaultFindingListRow {
  return {
    id,
    severity: finding.severity,
    severityRank: SEVERITY_ORDER[finding.severity],
    confidence: finding.confidence,
    device: finding.process.deviceName,
    process: finding.process.processName,
    pid: finding.process.processId,
    rules: finding.rules.map((rule) => RULE_SHORT_LABELS[rule]).join(", "),
    beaconScore: finding.beacon?.score ?? null,
    strongBeacon: finding.strongBeacon ? "yes" : "no",
    medianInterval: finding.beacon?.medianIntervalSeconds ?? null,
    connections: finding.connections.count,
    destinations: finding.connections.destinations.map((d) => `${d.remoteIp}:${d.remotePort}`).join(", "),
    firstConnection: finding.connections.firstConnection,
    lastConnection: finding.connections.lastConnection,
    commandLine: finding.process.commandLine,
    account: finding.process.accountName,
    reasonCount: finding.reasons.length,
  };
}

export function seedFindingListRow(id: string, row: SeedQueryRow): SeedFindingListRow {
  return {
    ...row,
    id,
    CryptoLibsLoaded: row.CryptoLibsLoaded.join(", "),
    RemoteIPs: row.RemoteIPs.join(", "),
    RemotePorts: row.RemotePorts.join(", "),
    BeaconLikelyText: row.BeaconLikely ? "yes" : "no",
  };
}

/**
 * What a list's search looks in, lower-cased: the text an analyst sees in the row (severity
 * and verdict as words, not their sort numbers) and, for corrected findings, the reasons.
 */
export function defaultFindingSearchText(row: DefaultFindingListRow, reasons: readonly { text: string }[]): string {
  const { severity, confidence, device, process, pid, rules, destinations, firstConnection, lastConnection, commandLine, account } = row;
  const beacon = row.strongBeacon === "yes" ? "strong beacon" : "";
  return searchable([severity, confidence, device, process, pid, rules, beacon, destinations, firstConnection, lastConnection, commandLine, account, ...reasons.map((r) => r.text)]);
}

export function seedFindingSearchText(row: SeedFindingListRow): string {
  const { id: _id, BeaconLikely, BeaconLikelyText: _text, ...columns } = row;
  return searchable([...Object.values(columns), BeaconLikely ? "beacon likely" : ""]);
}

function searchable(values: readonly unknown[]): string {
  return values
    .filter((value) => value !== null && value !== "")
    .join("\n")
    .toLowerCase();
}

/** What a list's search term is compared with (the stored text is lower-cased the same way). */
export function normalizeSearchTerm(term: string): string {
  return term.trim().toLowerCase();
}

/** Columns a list may be sorted or filtered by (anything else in a URL is refused). */
export const DEFAULT_LIST_COLUMNS = [
  "severityRank", "confidence", "device", "process", "pid", "rules", "strongBeacon", "beaconScore", "medianInterval",
  "connections", "destinations", "firstConnection", "lastConnection", "commandLine", "account",
] as const satisfies readonly (keyof DefaultFindingListRow)[];

export const SEED_LIST_COLUMNS = [
  "BeaconLikely", "DeviceName", "ProcessName", "ProcessCmd", "AccountName", "ProcessSHA256", "CryptoLibsLoaded", "RemoteIPs",
  "RemotePorts", "ConnectionCount", "TotalBytesSent", "TotalBytesReceived", "FirstConnection", "LastConnection",
  "DataTransferMB", "DurationMinutes", "AvgIntervalSeconds", "BeaconLikelyText",
] as const satisfies readonly (keyof SeedFindingListRow)[];

/** The filters each list offers beside its search, by URL parameter (the row's column). */
export const DEFAULT_LIST_FACETS = ["device", "process", "strongBeacon", "severityRank"] as const;
export const SEED_LIST_FACETS = ["DeviceName", "ProcessName", "BeaconLikelyText"] as const;

export type FindingListMode = "default" | "kql";

/** One page of a list as the URL asks for it: sort, search, facet filters and page number. */
export interface FindingListQuery {
  sort: { column: string; desc: boolean } | null;
  search: string;
  filters: { column: string; value: string }[];
  /** 1-based; clamped to the last page when read. */
  page: number;
  /**
   * The default queue leaves low findings out (a lone crypto load then connection: visible, not
   * queued): unless the severity filter is "all" (`severityRank=all`) or names one. Never in seed mode.
   */
  hideLow: boolean;
  /** `severityRank=2-3`: this severity and above (default mode). */
  minSeverityRank?: number;
  /** The triage filters (status, assignee, classification, tag): the open queue by default. */
  triage: TriageFilter;
  /** What the finding's evidence must show. */
  evidence: EvidenceFilter;
  /** `suppressed=include` lists suppressed findings too, `only` them alone; by default they are hidden. */
  suppressed?: "include" | "only";
  /** `suppressedBy=<suppression id>`: the findings that entry hides now (whatever `suppressed` says). */
  suppressedBy?: string;
}

/**
 * A destination address it connected to, a rule that fired (default mode), and when it was first
 * and last seen: days (YYYY-MM-DD, UTC), each range from its first day up to, not including, its second.
 */
export interface EvidenceFilter {
  destination?: string;
  rule?: RuleId;
  firstSeenFrom?: string;
  firstSeenTo?: string;
  lastSeenFrom?: string;
  lastSeenTo?: string;
}

/** The URL parameters of the day ranges. */
export const SEEN_RANGE_PARAMS = ["firstSeenFrom", "firstSeenTo", "lastSeenFrom", "lastSeenTo"] as const;

const dayParameterSchema = z.iso.date();
const destinationParameterSchema = z.union([z.ipv4(), z.ipv6()]);

function readEvidenceFilter(mode: FindingListMode, single: (key: string) => string | undefined): EvidenceFilter {
  const filter: EvidenceFilter = {};
  const destination = destinationParameterSchema.safeParse(single("destination")?.trim());
  if (destination.success) filter.destination = destination.data;
  const rule = single("rule");
  if (mode === "default" && rule !== undefined && Object.hasOwn(RULE_LABELS, rule)) filter.rule = rule as RuleId;
  for (const parameter of SEEN_RANGE_PARAMS) {
    const day = dayParameterSchema.safeParse(single(parameter));
    if (day.success) filter[parameter] = day.data;
  }
  return filter;
}

/** The severity filter's value for every severity, low included. */
export const ALL_SEVERITIES = "all";

/**
 * A script's parameters in the list's own names: the same short names in both modes (`device`,
 * `process`, `beacon=yes|no`, and in default mode `severity=high`) become the page's facets
 * (`DeviceName`…, `strongBeacon`, `severityRank=2`). For GET /api/findings only: the page keeps
 * its own names in its URL, which its filter controls read and clear. Unknown values are dropped.
 */
export function pageFacetParams(mode: FindingListMode, params: Record<string, string>): Record<string, string> {
  const { severity, beacon, device, process, ...rest } = params;
  const yesNo = beacon?.toLowerCase() === "yes" || beacon?.toLowerCase() === "no" ? beacon.toLowerCase() : undefined;
  const named = (entries: [string, string | undefined][]) => Object.fromEntries(entries.filter((entry): entry is [string, string] => Boolean(entry[1])));
  if (mode === "kql") return { ...named([["DeviceName", device], ["ProcessName", process], ["BeaconLikelyText", yesNo]]), ...rest };
  // "high-critical" is high and above.
  const [severityName, andAbove] = /^(.*?)(-critical)?$/.exec(severity?.toLowerCase() ?? "")!.slice(1);
  const rank =
    severityName === ALL_SEVERITIES
      ? ALL_SEVERITIES
      : Object.hasOwn(SEVERITY_ORDER, severityName)
        ? `${SEVERITY_ORDER[severityName as Severity]}${andAbove ? `-${SEVERITY_ORDER.critical}` : ""}`
        : undefined;
  return { ...named([["device", device], ["process", process], ["strongBeacon", yesNo], ["severityRank", rank]]), ...rest };
}

const SEVERITY_RANK_PATTERN = /^[0-3]$/;
/** A rank and above: "2-3" is high and critical. */
const MIN_SEVERITY_RANK_PATTERN = /^([0-3])-3$/;

/** Suppression ids as the store makes them. */
const SUPPRESSION_ID_PATTERN = /^[0-9a-f]{32}$/;

const pageNumberSchema = z.coerce.number().int().min(1).max(1_000_000).catch(1);

/**
 * Reads a list's URL parameters. Lenient, as links get edited and shared: a sort or filter on
 * a column the list does not have, or a page that is not a number, is ignored rather than an error.
 * `currentUsername` is who `assignee=mine` means.
 */
export function findingListQuery(mode: FindingListMode, params: Record<string, string | string[] | undefined>, currentUsername: string | null): FindingListQuery {
  const single = (key: string) => {
    const value = params[key];
    return typeof value === "string" ? value : Array.isArray(value) ? value[0] : undefined;
  };
  const columns: readonly string[] = mode === "kql" ? SEED_LIST_COLUMNS : DEFAULT_LIST_COLUMNS;
  const facets: readonly string[] = mode === "kql" ? SEED_LIST_FACETS : DEFAULT_LIST_FACETS;
  const [sortColumn, direction] = (single("sort") ?? "").split(".");
  const severityRank = single("severityRank") ?? "";
  const minSeverity = MIN_SEVERITY_RANK_PATTERN.exec(severityRank);
  return {
    sort: columns.includes(sortColumn) && (direction === "asc" || direction === "desc") ? { column: sortColumn, desc: direction === "desc" } : null,
    search: normalizeSearchTerm(single("q") ?? ""),
    filters: facets.flatMap((column) => {
      const value = single(column);
      // A severity is its rank: anything else ("all" included) filters nothing.
      return value && (column !== "severityRank" || SEVERITY_RANK_PATTERN.test(value)) ? [{ column, value }] : [];
    }),
    page: pageNumberSchema.parse(single("page")),
    hideLow: mode === "default" && !SEVERITY_RANK_PATTERN.test(severityRank) && !MIN_SEVERITY_RANK_PATTERN.test(severityRank) && severityRank !== ALL_SEVERITIES,
    ...(mode === "default" && minSeverity ? { minSeverityRank: Number(minSeverity[1]) } : {}),
    triage: readTriageFilter(single, currentUsername),
    evidence: readEvidenceFilter(mode, single),
    ...(single("suppressed") === "include" || single("suppressed") === "only" ? { suppressed: single("suppressed") as "include" | "only" } : {}),
    ...(SUPPRESSION_ID_PATTERN.test(single("suppressedBy") ?? "") ? { suppressedBy: single("suppressedBy") } : {}),
  };
}
