import "server-only";
import { z } from "zod";
import type { HidingListName } from "../detection/detection-lists";
import { compareDefaultRanks, withFleetPrevalence, type DefaultEvidenceConnection, type DefaultEvidenceLoad, type DefaultFindingRank } from "../detection/default-detection";
import { fleetPrevalence, type FleetPrevalence, type PrevalenceKind } from "../detection/fleet-prevalence";
import {
  defaultFindingListRow,
  defaultFindingSearchText,
  type DefaultFindingListRow,
  type DefaultFindingSummary,
  type FindingListMode,
  type FindingListQuery,
  type SeedFindingListRow,
} from "../detection/finding-list";
import { compareSeedFindings, type EvidenceConnection, type EvidenceLoad, type SeedFindingRank, type SeedQueryRow } from "../detection/seed-kql-query";
import { ANY_TRIAGE } from "../triage/triage-filter";
import { TRIAGE_STATUSES, type WithTriage } from "../triage/triage-state";
import type { DetectionRun } from "./detection-settings";
import { sqliteConnection, storeTimestamp } from "./sqlite-connection";
import { ACTIVE_AT, suppressedBy } from "./suppression-store";
import { triageOf } from "./triage-store";

export const detectionModeSchema = z.enum(["default", "kql"], { error: "mode must be default or kql" });
export type DetectionMode = z.infer<typeof detectionModeSchema>;

/** A default-mode finding as stored: everything but the evidence lists, plus the mode-difference sentence. */
export type StoredDefaultFinding = DefaultFindingSummary & { modeDifference: string };

export type FindingDetail =
  | { mode: "kql"; id: string; row: SeedQueryRow; loads: EvidenceLoad[]; connections: EvidenceConnection[] }
  | { mode: "default"; id: string; finding: StoredDefaultFinding; loads: DefaultEvidenceLoad[]; connections: DefaultEvidenceConnection[] };

export { findingIdSchema } from "../detection/finding-id";

/** One stored finding, as detection writes it. */
export interface FindingRecord {
  id: string;
  runId: string;
  mode: DetectionMode;
  deviceName: string;
  processName: string;
  beaconLikely: boolean;
  connectionCount: number;
  /**
   * A Windows system binary's name on an image outside that binary's own folder (a default-mode
   * lineage flag): the excluded-system-process list does not hide it, as it is not that binary.
   */
  outsideSystemFolder: boolean;
  /** JSON of the output row (the seed query's columns, or the default finding without evidence). */
  row: string;
  /** JSON of the row the findings list shows (lib/detection/finding-list). */
  listRow: string;
  /** Lower-cased text the list's search matches. */
  searchText: string;
  /** JSON of the loads and connections behind it. */
  evidence: string;
  /** Its fleet prevalence keys: its binary's, and a JSON array of the addresses it connected to (default mode; '' and [] in the seed mode's). */
  binaryKey: string;
  destinationKeys: string;
  /** JSON of the FleetPrevalence it was rated with (default mode), null in the seed mode's. */
  ratedPrevalence: string | null;
}

/**
 * Writes a slice of a run's findings in one transaction. Raw rather than Prisma's createMany:
 * for thousands of findings with kilobytes of JSON each, the latter costs hundreds of megabytes.
 */
export function storeFindings(records: readonly FindingRecord[]): void {
  const db = sqliteConnection();
  const insert = db.prepare(
    `INSERT INTO "Finding" ("runId", ${quotedColumns(FINDING_COLUMNS)}) VALUES (@runId, ${FINDING_COLUMNS.map((column) => `@${column}`).join(", ")})`,
  );
  db.transaction(() => {
    // Lower-cased as detection's caseInsensitiveSet folds names, so hiding matches what excluding did.
    for (const record of records) {
      insert.run({ ...record, processNameKey: record.processName.toLowerCase(), beaconLikely: record.beaconLikely ? 1 : 0, outsideSystemFolder: record.outsideSystemFolder ? 1 : 0 });
    }
  })();
}

/** A finding's own columns (but its run and its rank, set when the run ends). */
const FINDING_COLUMNS = ["id", "mode", "deviceName", "processName", "processNameKey", "beaconLikely", "connectionCount", "outsideSystemFolder", "listRow", "searchText", "row", "evidence", "binaryKey", "destinationKeys", "ratedPrevalence"] as const;
const quotedColumns = (columns: readonly string[]) => columns.map((column) => `"${column}"`).join(", ");

/**
 * Copies a run's findings, but those of some devices, under another run's id (an incremental run
 * keeps the devices no change touched). Runs in the caller's transaction, on the same connection.
 */
export function copyRunFindings(fromRunId: string, toRunId: string, exceptDevices: readonly string[]): void {
  sqliteConnection()
    .prepare(
      `INSERT INTO "Finding" ("runId", ${quotedColumns(FINDING_COLUMNS)}) SELECT @toRunId, ${quotedColumns(FINDING_COLUMNS)}
       FROM "Finding" WHERE "runId" = @fromRunId AND "deviceName" NOT IN (SELECT "value" FROM json_each(@exceptDevices))`,
    )
    .run({ fromRunId, toRunId, exceptDevices: JSON.stringify(exceptDevices) });
}

/** Devices with a stored event of a complete upload (`p` a DatasetPrevalence row). */
const OF_COMPLETE_UPLOAD = `p."datasetId" IN (SELECT "id" FROM "Dataset" WHERE "status" = 'complete')`;

/** How many devices the complete uploads' prevalence rows `p` matching `condition` name. */
const devicesWhere = (condition: string) => `SELECT count(DISTINCT p."deviceName") FROM "DatasetPrevalence" p WHERE ${condition} AND ${OF_COMPLETE_UPLOAD}`;
/** Every device with an event: each event names its initiating binary. */
const FLEET_DEVICES = devicesWhere(`p."kind" = 'binary'`);

/** Distinct keys a run's counter remembers before it starts afresh (bounds a huge fleet's memory). */
const MAX_COUNTED_KEYS = 100_000;

/**
 * The fleet's counts as a run reads them while it stores findings, so a new finding is stored
 * already rated: each key counted once (by the index), as its findings come.
 */
export function fleetCounter(): (binaryKey: string, destinationKeys: readonly string[]) => FleetPrevalence {
  const db = sqliteConnection();
  const fleetDevices = db.prepare(FLEET_DEVICES).pluck().get() as number;
  const count = db.prepare(devicesWhere(`p."kind" = ? AND p."key" = ?`)).pluck();
  const counted = new Map<string, number>();
  const devices = (kind: PrevalenceKind, key: string) => {
    const cacheKey = `${kind}\u0000${key}`;
    let found = counted.get(cacheKey);
    if (found === undefined) {
      if (counted.size >= MAX_COUNTED_KEYS) counted.clear();
      found = count.get(kind, key) as number;
      counted.set(cacheKey, found);
    }
    return found;
  };
  return (binaryKey, destinationKeys) => fleetPrevalence(devices("binary", binaryKey), destinationKeys.map((key): [string, number] => [key, devices("destination", key)]), fleetDevices);
}

/** Findings rated per write transaction: the JSON work happens between them, outside the write lock. */
const FINDINGS_PER_RATING_WRITE = 200;

/**
 * Rates a finished run's default findings with the fleet's current counts (see severity-model):
 * a new finding, and a copied one whose binary, destination or fleet count changed since it was
 * rated (an upload to other devices changes what is rare), so an incremental run keeps every
 * finding's rarity current without reading events. The rows are the run's own, not yet shown.
 */
export function rateRunFindingsByFleet(runId: string): void {
  const db = sqliteConnection();
  // The run's keys: a finding's binary, and each address of its JSON list.
  const BINARY_KEYS = `SELECT f."binaryKey" FROM "Finding" f WHERE f."runId" = @runId AND f."mode" = 'default'`;
  const DESTINATION_KEYS = `SELECT d."value" FROM "Finding" f, json_each(f."destinationKeys") d WHERE f."runId" = @runId AND f."mode" = 'default'`;
  const devicesByKey = (kind: PrevalenceKind, runKeys: string) =>
    new Map(
      db
        .prepare(`SELECT p."key", count(DISTINCT p."deviceName") FROM "DatasetPrevalence" p WHERE p."kind" = '${kind}' AND p."key" IN (${runKeys}) AND ${OF_COMPLETE_UPLOAD} GROUP BY p."key"`)
        .raw()
        .all({ runId }) as [string, number][],
    );
  // The three counts from one snapshot; one GROUP BY per kind, so a key many findings share is counted once.
  const { fleetDevices, binaryDevices, destinationDevices } = db.transaction(() => ({
    fleetDevices: db.prepare(FLEET_DEVICES).pluck().get() as number,
    binaryDevices: devicesByKey("binary", BINARY_KEYS),
    destinationDevices: devicesByKey("destination", DESTINATION_KEYS),
  }))();
  const findings = db.prepare(`SELECT "id", "binaryKey", "destinationKeys", "ratedPrevalence" FROM "Finding" WHERE "runId" = ? AND "mode" = 'default'`).raw().all(runId) as [
    string,
    string,
    string,
    string | null,
  ][];
  const stale = findings.flatMap(([id, binaryKey, destinationKeys, ratedPrevalence]) => {
    const keys = JSON.parse(destinationKeys) as string[];
    const prevalence = fleetPrevalence(binaryDevices.get(binaryKey) ?? 0, keys.map((key): [string, number] => [key, destinationDevices.get(key) ?? 0]), fleetDevices);
    const current = JSON.stringify(prevalence);
    return current === ratedPrevalence ? [] : [{ id, prevalence, current }];
  });
  const readRow = db.prepare(`SELECT "row" FROM "Finding" WHERE "runId" = ? AND "id" = ?`).pluck();
  const update = db.prepare(`UPDATE "Finding" SET "row" = @row, "listRow" = @listRow, "searchText" = @searchText, "ratedPrevalence" = @ratedPrevalence WHERE "runId" = @runId AND "id" = @id`);
  for (let start = 0; start < stale.length; start += FINDINGS_PER_RATING_WRITE) {
    const updates = stale.slice(start, start + FINDINGS_PER_RATING_WRITE).map(({ id, prevalence, current }) => {
      const rated = withFleetPrevalence(JSON.parse(readRow.get(runId, id) as string) as StoredDefaultFinding, prevalence);
      const listRow = defaultFindingListRow(id, rated);
      return { runId, id, row: JSON.stringify(rated), listRow: JSON.stringify(listRow), searchText: defaultFindingSearchText(listRow, rated.reasons), ratedPrevalence: current };
    });
    db.transaction(() => {
      for (const values of updates) update.run(values);
    }).immediate();
  }
}

/**
 * Ranks a finished run's rows in each mode's default order. Runs write findings device by
 * device, so the order across the fleet is only known at the end; the comparators use
 * localeCompare, which SQL cannot reproduce, so only the rank fields are read (not whole rows).
 * The rows are the run's own, so they are read and sorted before the write lock is taken: an
 * upload's batches wait only for the ranks to be written.
 */
export function rankRunFindings(runId: string): void {
  const db = sqliteConnection();
  const ranked = <Fields>(mode: DetectionMode, fields: readonly (keyof Fields)[], compare: (a: Fields, b: Fields) => number): string[] => {
    const columns = fields.map((field) => `json_extract("listRow", '$.${String(field)}')`).join(", ");
    const rows = db.prepare(`SELECT "id", ${columns} FROM "Finding" WHERE "runId" = ? AND "mode" = ?`).raw().all(runId, mode) as unknown[][];
    const findings = rows.map((row) => ({ id: row[0] as string, fields: Object.fromEntries(fields.map((field, index) => [field, row[index + 1]])) as Fields }));
    return findings.sort((a, b) => compare(a.fields, b.fields)).map((finding) => finding.id);
  };
  const modesInOrder = [
    ranked<DefaultFindingRank>("default", ["severity", "confidence", "reasonCount", "beaconScore", "device", "process", "pid"], compareDefaultRanks),
    ranked<SeedFindingRank>("kql", ["ConnectionCount", "DeviceName", "ProcessName", "ProcessCmd"], (a, b) => compareSeedFindings({ row: a }, { row: b })),
  ];
  const setRank = db.prepare(`UPDATE "Finding" SET "rank" = ? WHERE "runId" = ? AND "id" = ?`);
  db.transaction(() => {
    for (const ids of modesInOrder) for (const [position, id] of ids.entries()) setRank.run(position, runId, id);
  }).immediate();
}

/**
 * A finding is shown unless its process name is on an excluded-name list: those lists are applied
 * here, when findings are read, not when detection computes them (see HIDING_LIST_NAMES), so an
 * exclusion shows at once. The list names are constants, not input.
 */
const listKeys = (list: HidingListName) => `(SELECT "valueKey" FROM "AllowlistEntry" WHERE "list" = '${list}')`;
const NOT_HIDDEN = `NOT ("processNameKey" IN ${listKeys("excludedBrowsers")}
  OR ("processNameKey" IN ${listKeys("excludedSystemProcesses")} AND NOT "outsideSystemFolder"))`;

/** What a list's URL narrows a run's findings to. */
type ListSlice = Pick<FindingListQuery, "filters" | "search" | "hideLow" | "minSeverityRank" | "triage" | "evidence" | "suppressed" | "suppressedBy">;
const EVERY_FINDING: ListSlice = { filters: [], search: "", hideLow: false, triage: ANY_TRIAGE, evidence: {} };

/** A suppression in force that the finding (the list's "Finding" row) meets. */
const SUPPRESSED = `SELECT 1 FROM "FindingSuppression" fs JOIN "Suppression" s ON s."id" = fs."suppressionId"
  WHERE fs."runId" = "Finding"."runId" AND fs."findingId" = "Finding"."id" AND ${ACTIVE_AT("s")}`;

/** Where each mode's stored row keeps its first and last connection times and its addresses. */
const ROW_PATHS: Record<DetectionMode, { first: string; last: string; addresses: string }> = {
  default: { first: "$.connections.firstConnection", last: "$.connections.lastConnection", addresses: "$.connections.destinations" },
  kql: { first: "$.FirstConnection", last: "$.LastConnection", addresses: "$.RemoteIPs" },
};

/** A finding's triage column, or null when it has none (it is new: see FindingTriage). */
const TRIAGE_OF = (column: "status" | "assignee" | "classification" | "resolvedAt") => `(SELECT "${column}" FROM "FindingTriage" WHERE "findingId" = "Finding"."id")`;

/** The conditions selecting the shown findings of a run in a mode, narrowed by a list's filters and search. */
export function shownFindings(runId: string, mode: DetectionMode, query: ListSlice = EVERY_FINDING): { where: string; params: unknown[] } {
  const where = [`"runId" = ?`, `"mode" = ?`, NOT_HIDDEN];
  const params: unknown[] = [runId, mode];
  if (query.suppressedBy !== undefined) {
    where.push(`EXISTS (${SUPPRESSED} AND s."id" = ?)`);
    params.push(storeTimestamp(new Date()), query.suppressedBy);
  } else if (query.suppressed !== "include") {
    where.push(`${query.suppressed === "only" ? "" : "NOT "}EXISTS (${SUPPRESSED})`);
    params.push(storeTimestamp(new Date()));
  }
  if (query.hideLow) where.push(`json_extract("listRow", '$.severityRank') >= 1`);
  if (query.minSeverityRank !== undefined) {
    where.push(`json_extract("listRow", '$.severityRank') >= ?`);
    params.push(query.minSeverityRank);
  }
  for (const filter of query.filters) {
    where.push(`CAST(json_extract("listRow", ?) AS TEXT) = ?`);
    params.push(`$.${filter.column}`, filter.value);
  }
  if (query.search) {
    where.push(`instr("searchText", ?) > 0`);
    params.push(query.search);
  }
  const { destination, rule, firstSeenFrom, firstSeenTo, lastSeenFrom, lastSeenTo } = query.evidence;
  const paths = ROW_PATHS[mode];
  if (destination !== undefined) {
    // Default mode lists {remoteIp, remotePort} per destination, the seed query its addresses.
    const address = mode === "default" ? `json_extract(json_each."value", '$.remoteIp')` : `json_each."value"`;
    where.push(`EXISTS (SELECT 1 FROM json_each(json_extract("row", ?)) WHERE lower(${address}) = lower(?))`);
    params.push(paths.addresses, destination);
  }
  if (rule !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM json_each(json_extract("row", '$.rules')) WHERE json_each."value" = ?)`);
    params.push(rule);
  }
  // ISO times compare as text with a day: "2024-05-01T10:00…" >= "2024-05-01" and < "2024-05-02".
  for (const [day, path, operator] of [
    [firstSeenFrom, paths.first, ">="],
    [firstSeenTo, paths.first, "<"],
    [lastSeenFrom, paths.last, ">="],
    [lastSeenTo, paths.last, "<"],
  ] as const) {
    if (day === undefined) continue;
    where.push(`json_extract("row", ?) ${operator} ?`);
    params.push(path, day);
  }
  const { statuses, assignee, classification, tag, resolvedFrom } = query.triage;
  if (resolvedFrom !== undefined) {
    where.push(`${TRIAGE_OF("resolvedAt")} >= ?`);
    params.push(resolvedFrom);
  }
  if (statuses.length < TRIAGE_STATUSES.length) {
    where.push(`coalesce(${TRIAGE_OF("status")}, 'new') IN (SELECT "value" FROM json_each(?))`);
    params.push(JSON.stringify(statuses));
  }
  if (assignee === null) where.push(`${TRIAGE_OF("assignee")} IS NULL`);
  else if (assignee !== undefined) {
    where.push(`${TRIAGE_OF("assignee")} = ?`);
    params.push(assignee);
  }
  if (classification !== undefined) {
    where.push(`${TRIAGE_OF("classification")} = ?`);
    params.push(classification);
  }
  if (tag !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM "FindingTriage" t, json_each(t."tags") WHERE t."findingId" = "Finding"."id" AND json_each."value" = ?)`);
    params.push(tag);
  }
  return { where: where.join(" AND "), params };
}

/** How many findings a run has in a mode, but those of excluded names (none without a run). */
export function findingCount(run: DetectionRun | null, mode: DetectionMode): number {
  if (run === null) return 0;
  // Suppressed ones included: the list says how many of them its filters keep ("12 of 13").
  const { where, params } = shownFindings(run.runId, mode, { ...EVERY_FINDING, suppressed: "include" });
  return sqliteConnection().prepare(`SELECT count(*) FROM "Finding" WHERE ${where}`).pluck().get(...params) as number;
}

const FINDINGS_PAGE_SIZE = 100;

/** One page of a findings list, with what its toolbar needs. */
export interface FindingListPage<Row> {
  rows: Row[];
  /** Findings of the run in this mode. */
  total: number;
  /** Of those, the ones the search and filters keep. */
  matching: number;
  /** 1-based, clamped to the last page. */
  page: number;
  pageCount: number;
  /** Every device and process name the mode's findings have, for the filters. */
  deviceNames: string[];
  processNames: string[];
  /** Low findings the search and filters keep that the default queue leaves out (hideLow). */
  heldBackLow: number;
}

/**
 * A page of a run's findings (the run the page shows, read once by its caller), searched,
 * filtered and sorted by the database: memory
 * holds one page whatever the size of the fleet. Columns come from the list's whitelist
 * (finding-list) and are bound as JSON paths, never spliced into SQL. A column sort puts
 * unknown values last and breaks ties by rank.
 */
export function listFindingsPage(mode: "default", query: FindingListQuery, run: DetectionRun | null): FindingListPage<WithTriage<DefaultFindingListRow>>;
export function listFindingsPage(mode: "kql", query: FindingListQuery, run: DetectionRun | null): FindingListPage<WithTriage<SeedFindingListRow>>;
export function listFindingsPage(mode: FindingListMode, query: FindingListQuery, run: DetectionRun | null): FindingListPage<WithTriage<DefaultFindingListRow | SeedFindingListRow>> {
  const runId = run?.runId ?? "";
  const db = sqliteConnection();
  const { where, params } = shownFindings(runId, mode, query);
  const shown = shownFindings(runId, mode);
  const distinct = (column: "deviceName" | "processName") => db.prepare(`SELECT DISTINCT "${column}" FROM "Finding" WHERE ${shown.where} ORDER BY 1`).pluck().all(...shown.params) as string[];
  const countWhere = (slice: ReturnType<typeof shownFindings>) => db.prepare(`SELECT count(*) FROM "Finding" WHERE ${slice.where}`).pluck().get(...slice.params) as number;
  const matching = countWhere({ where, params });
  const heldBackLow = query.hideLow ? countWhere(shownFindings(runId, mode, { ...query, hideLow: false })) - matching : 0;
  const pageCount = Math.max(1, Math.ceil(matching / FINDINGS_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const { order, orderParams } = listOrder(query);
  const rows = db
    .prepare(`SELECT "id", "listRow" FROM "Finding" WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .raw()
    .all(...params, ...orderParams, FINDINGS_PAGE_SIZE, (page - 1) * FINDINGS_PAGE_SIZE) as [string, string][];
  const ids = rows.map(([id]) => id);
  const triage = triageOf(ids);
  const suppressions = suppressedBy(runId, ids);
  return {
    rows: rows.map(([id, row]) => ({ ...JSON.parse(row), triage: triage.get(id)!, suppressedBy: suppressions.get(id)! })),
    total: findingCount(run, mode),
    matching,
    page,
    pageCount,
    deviceNames: distinct("deviceName"),
    processNames: distinct("processName"),
    heldBackLow,
  };
}

/** A list's order: its column sort (unknown values last, ties by rank), else rank. */
function listOrder(query: FindingListQuery): { order: string; orderParams: string[] } {
  const sortValue = `json_extract("listRow", ?)`;
  if (!query.sort) return { order: `"rank"`, orderParams: [] };
  const path = `$.${query.sort.column}`;
  return { order: `${sortValue} IS NULL, ${sortValue} COLLATE NOCASE ${query.sort.desc ? "DESC" : "ASC"}, "rank"`, orderParams: [path, path] };
}

/** Where a finding is in a list (its filters, search and sort): the findings before and after it. Null ids at either end, or when the list does not hold it. */
export function neighbouringFindings(mode: FindingListMode, query: FindingListQuery, run: DetectionRun | null, id: string): { previous: string | null; next: string | null; position: number | null; matching: number } {
  if (run === null) return { previous: null, next: null, position: null, matching: 0 };
  const { where, params } = shownFindings(run.runId, mode, query);
  const { order, orderParams } = listOrder(query);
  // Ids only: a few hundred kilobytes for the largest lists.
  const ids = sqliteConnection().prepare(`SELECT "id" FROM "Finding" WHERE ${where} ORDER BY ${order}`).pluck().all(...params, ...orderParams) as string[];
  const index = ids.indexOf(id);
  if (index === -1) return { previous: null, next: null, position: null, matching: ids.length };
  return { previous: ids[index - 1] ?? null, next: ids[index + 1] ?? null, position: index + 1, matching: ids.length };
}

/**
 * Every shown finding of a run in a mode that a list's filters and search keep, in rank order, a
 * slice at a time (the API, the CLI): default mode yields `{ id, ...finding }`, seed mode the
 * query's rows. A run that finishes meanwhile removes this one's rows; the reader then throws
 * rather than end a short list as if complete.
 */
export function allFindings(mode: "default", run: DetectionRun | null, query?: ListSlice): Generator<WithTriage<{ id: string } & StoredDefaultFinding>[]>;
export function allFindings(mode: "kql", run: DetectionRun | null, query?: ListSlice): Generator<WithTriage<{ id: string } & SeedQueryRow>[]>;
export function* allFindings(mode: DetectionMode, run: DetectionRun | null, query?: ListSlice): Generator<unknown[]> {
  if (run === null) return;
  const db = sqliteConnection();
  const { where, params } = shownFindings(run.runId, mode, query);
  const slice = db.prepare(`SELECT "id", "rank", "row" FROM "Finding" WHERE ${where} AND "rank" > ? ORDER BY "rank" LIMIT 500`).raw();
  for (let after = -1; ; ) {
    const rows = slice.all(...params, after) as [string, number, string][];
    if (rows.length === 0) break;
    after = rows[rows.length - 1][1];
    const ids = rows.map(([id]) => id);
    const triage = triageOf(ids);
    const suppressions = suppressedBy(run.runId, ids);
    yield rows.map(([id, , row]) => ({ id, ...JSON.parse(row), triage: triage.get(id), suppressedBy: suppressions.get(id) }));
  }
  const stillStored = db.prepare(`SELECT EXISTS (SELECT 1 FROM "Finding" WHERE "runId" = ?)`).pluck().get(run.runId) === 1;
  if (!stillStored && run.findings + run.seedFindings > 0) {
    throw new Error("Detection reran while the findings were being read, so this list is incomplete: read them again.");
  }
}

/** A finding of a run, with its evidence; null when that run has no such finding. */
export async function getFinding(id: string, run: DetectionRun | null): Promise<FindingDetail | null> {
  if (run === null) return null;
  // Either mode: the id says which.
  const stored = sqliteConnection()
    .prepare(`SELECT "mode", "row", "evidence" FROM "Finding" WHERE "runId" = ? AND "id" = ? AND ${NOT_HIDDEN}`)
    .get(run.runId, id) as { mode: DetectionMode; row: string; evidence: string } | undefined;
  if (!stored) return null;
  const evidence = JSON.parse(stored.evidence);
  if (stored.mode === "kql") return { mode: "kql", id, row: JSON.parse(stored.row), loads: evidence.loads, connections: evidence.connections };
  return { mode: "default", id, finding: JSON.parse(stored.row), loads: evidence.loads, connections: evidence.connections };
}
