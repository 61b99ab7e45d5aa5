import "server-only";
import { shownFindings } from "./findings-store";
import type { DaySeverityCount } from "../triage/overview";
import { OPEN_STATUSES } from "../triage/triage-filter";
import type { TriageStatus } from "../triage/triage-state";
import type { DetectionRun } from "./detection-settings";
import { sqliteConnection } from "./sqlite-connection";

/** How many devices, processes and destinations each top list names. */
export const TOP_LIMIT = 10;

export interface TopEntry {
  name: string;
  count: number;
}

/** A top list: its first TOP_LIMIT entries, and how many distinct names there are in all. */
export interface TopList {
  entries: TopEntry[];
  distinct: number;
}

/** What the overview page shows of a run's corrected findings. */
export interface OverviewCounts {
  /** Shown findings, every status. */
  total: number;
  /** Every status, by the UTC day of the first connection and severity rank. */
  byDay: DaySeverityCount[];
  /** The rest count open findings only (new or investigating). */
  open: number;
  openByStatus: { status: TriageStatus; count: number }[];
  /** Most first, then by name; null is the unassigned. */
  openByAssignee: { assignee: string | null; count: number }[];
  topDevices: TopList;
  topProcesses: TopList;
  /** By remote IP, each finding counted once per address whatever its ports. */
  topDestinations: TopList;
}

/**
 * The shown findings with what the overview groups them by, read from the columns the list's
 * filters read (listRow's device, process, severityRank and firstConnection; the addresses of
 * destinationKeys, lower-cased as the destination filter compares them), so a count and its link
 * agree. A finding without a triage row is new.
 */
const SHOWN_CTE = (where: string) => `WITH shown AS (
  SELECT
    json_extract(f."listRow", '$.severityRank') AS "severityRank",
    substr(json_extract(f."listRow", '$.firstConnection'), 1, 10) AS "day",
    CAST(json_extract(f."listRow", '$.device') AS TEXT) AS "device",
    CAST(json_extract(f."listRow", '$.process') AS TEXT) AS "process",
    f."destinationKeys" AS "destinationKeys",
    coalesce(t."status", 'new') AS "status",
    t."assignee" AS "assignee"
  FROM (SELECT "id", "listRow", "destinationKeys" FROM "Finding" WHERE ${where}) f
  LEFT JOIN "FindingTriage" t ON t."findingId" = f."id"
), open AS (SELECT * FROM shown WHERE "status" IN (SELECT "value" FROM json_each(?)))`;

/**
 * The overview of a run's corrected findings, counted by the database (memory holds the counts,
 * never the findings), in one read transaction so every count comes from the same snapshot.
 * Zeros and empty lists without a run.
 */
export function overviewCounts(run: DetectionRun | null): OverviewCounts {
  const db = sqliteConnection();
  const { where, params } = shownFindings(run?.runId ?? "", "default");
  const cte = SHOWN_CTE(where);
  const cteParams = [...params, JSON.stringify(OPEN_STATUSES)];
  const all = <Row>(select: string, ...extra: unknown[]) => db.prepare(`${cte} ${select}`).all(...cteParams, ...extra) as Row[];
  const one = (select: string) => db.prepare(`${cte} ${select}`).pluck().get(...cteParams) as number;
  const topList = (expression: string, from: string): TopList => ({
    entries: all<TopEntry>(`SELECT ${expression} AS "name", count(*) AS "count" FROM ${from} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`, TOP_LIMIT),
    distinct: one(`SELECT count(DISTINCT ${expression}) FROM ${from}`),
  });
  return db.transaction(
    (): OverviewCounts => ({
      total: one(`SELECT count(*) FROM shown`),
      byDay: all<DaySeverityCount>(`SELECT "day", "severityRank", count(*) AS "count" FROM shown WHERE "day" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`),
      open: one(`SELECT count(*) FROM open`),
      openByStatus: all(`SELECT "status", count(*) AS "count" FROM open GROUP BY 1`),
      openByAssignee: all(`SELECT "assignee", count(*) AS "count" FROM open GROUP BY 1 ORDER BY 2 DESC, "assignee" IS NULL, 1`),
      topDevices: topList(`"device"`, `open`),
      topProcesses: topList(`"process"`, `open`),
      // json_each over each finding's distinct addresses: one row per (finding, address).
      topDestinations: topList(`d."value"`, `open, json_each(open."destinationKeys") d`),
    }),
  )();
}
