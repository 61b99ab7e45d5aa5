import "server-only";
import type Database from "better-sqlite3";
import type { AuditAction } from "../auth/audit-actions";
import { accountCan, ROLES } from "../auth/roles";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import {
  applyTriageChange,
  defaultFindingMark,
  NEW_TRIAGE,
  newActivitySince,
  seedRowMark,
  TriageRuleError,
  type Classification,
  type EvidenceMark,
  changeForFinding,
  type TriageBulkChange,
  type TriageChange,
  type TriageDetail,
  type TriageFieldChange,
  type TriageState,
  type TriageStatus,
  type TriageSummary,
} from "../triage/triage-state";
import { ApiError } from "./api-error";
import { readDetectionRun } from "./detection-settings";
import type { StoredDefaultFinding } from "./findings-store";
import { sqliteConnection, storeTimestamp } from "./sqlite-connection";

/** Who changes a finding's triage, as its history and the audit log name them; the address for the audit log. */
export interface TriageActor {
  label: string;
  address: string | null;
}

/** What the actor of a reopening is called in history and the audit log: no username has a colon. */
export const DETECTION_ACTOR = "system:detection";

type TriageRow = {
  findingId: string;
  status: TriageStatus;
  classification: Classification | null;
  reason: string | null;
  assignee: string | null;
  tags: string;
  resolvedMark: string | null;
  reopened: string | null;
  resolvedAt: string | null;
};
/** What a triage row keeps beside the state: see FindingTriage. */
type KeptColumns = Pick<TriageRow, "resolvedMark" | "reopened" | "resolvedAt">;

const summaryOf = (row: TriageRow | undefined): TriageSummary =>
  row ? { status: row.status, classification: row.classification, reason: row.reason, assignee: row.assignee, tags: JSON.parse(row.tags) as string[], reopened: row.reopened } : { ...NEW_TRIAGE, reopened: null };


/** The triage of each of these findings (new when nothing was recorded). */
export function triageOf(findingIds: readonly string[]): Map<string, TriageSummary> {
  const rows = sqliteConnection()
    .prepare(`SELECT * FROM "FindingTriage" WHERE "findingId" IN (SELECT "value" FROM json_each(?))`)
    .all(JSON.stringify(findingIds)) as TriageRow[];
  const byId = new Map(rows.map((row) => [row.findingId, row]));
  return new Map(findingIds.map((id) => [id, summaryOf(byId.get(id))]));
}

/** A finding's triage, notes and history. */
export function triageDetail(findingId: string): TriageDetail {
  const db = sqliteConnection();
  const row = db.prepare(`SELECT * FROM "FindingTriage" WHERE "findingId" = ?`).get(findingId) as TriageRow | undefined;
  const notes = db.prepare(`SELECT "author", "at", "text" FROM "FindingNote" WHERE "findingId" = ? ORDER BY "id"`).all(findingId) as TriageDetail["notes"];
  const history = db.prepare(`SELECT "at", "actor", "field", "from", "to" FROM "FindingHistory" WHERE "findingId" = ? ORDER BY "id"`).all(findingId) as TriageDetail["history"];
  return { ...summaryOf(row), notes, history };
}

/** One finding's change (`PATCH /api/findings/<id>`; tags replace the finding's). Answers its triage. */
export function changeFindingTriage(findingId: string, change: TriageChange, mark: EvidenceMark, actor: TriageActor): TriageDetail {
  return applyChanges(new Map([[findingId, mark]]), () => change, actor)[0];
}

/** A bulk change (`PATCH /api/findings`; tags are added to each finding's own). Answers their triage, in order. */
export function changeFindingsTriage(marks: ReadonlyMap<string, EvidenceMark>, change: TriageBulkChange, actor: TriageActor): TriageDetail[] {
  return applyChanges(marks, (current) => changeForFinding(current, change), actor);
}

/**
 * Applies an analyst's change to findings' triage (see applyTriageChange), recording each changed
 * field in the finding's history and the change in the audit log, all in one transaction: a change
 * one finding refuses changes none. `marks` holds what each finding shows now, kept when it is
 * resolved so that later activity can reopen it. An assignee must be an active account that may
 * triage. A change that changes nothing records nothing.
 */
function applyChanges(marks: ReadonlyMap<string, EvidenceMark>, changeFor: (current: TriageState) => TriageChange, actor: TriageActor): TriageDetail[] {
  const db = sqliteConnection();
  db.transaction(() => {
    const read = db.prepare(`SELECT * FROM "FindingTriage" WHERE "findingId" = ?`);
    for (const [findingId, mark] of marks) {
      const row = read.get(findingId) as TriageRow | undefined;
      const current = summaryOf(row);
      let change = changeFor(current);
      if (change.assignee && change.assignee.toLowerCase() !== current.assignee?.toLowerCase()) {
        const username = activeUsername(db, change.assignee);
        if (username === null) throw new ApiError(422, "unknown_assignee", `No active account is named ${JSON.stringify(change.assignee)}.`);
        change = { ...change, assignee: username };
      } else if (change.assignee) {
        change = { ...change, assignee: current.assignee };
      }
      let applied;
      try {
        applied = applyTriageChange(current, change);
      } catch (error) {
        if (error instanceof TriageRuleError) throw new ApiError(422, "triage_rule", error.message);
        throw error;
      }
      if (applied.changes.length === 0) continue;
      const at = storeTimestamp(new Date());
      const statusChanged = applied.changes.some((entry) => entry.field === "status");
      const resolved = applied.next.status === "resolved";
      const kept: KeptColumns = {
        resolvedMark: !resolved ? null : statusChanged ? JSON.stringify(mark) : (row?.resolvedMark ?? JSON.stringify(mark)),
        resolvedAt: !resolved ? null : statusChanged ? at : (row?.resolvedAt ?? at),
        reopened: statusChanged ? null : (row?.reopened ?? null),
      };
      writeTriage(db, at, findingId, applied.next, kept, applied.changes, actor, "finding.triage");
    }
  }).immediate();
  return [...marks.keys()].map(triageDetail);
}

export const FINDING_NOT_FOUND_MESSAGE = "The current detection run has no finding with this id.";

/** What a finding of the current run shows now (see EvidenceMark); a 404 when the run has no such finding. */
export async function currentFindingMark(findingId: string): Promise<EvidenceMark> {
  return (await currentFindingMarks([findingId])).get(findingId)!;
}

/** What each of these findings of the current run shows now; a 404 when the run lacks any of them. */
export async function currentFindingMarks(findingIds: readonly string[]): Promise<Map<string, EvidenceMark>> {
  const run = await readDetectionRun();
  const rows = run
    ? (sqliteConnection()
        .prepare(`SELECT "id", "mode", "row" FROM "Finding" WHERE "runId" = ? AND "id" IN (SELECT "value" FROM json_each(?))`)
        .all(run.runId, JSON.stringify(findingIds)) as { id: string; mode: "default" | "kql"; row: string }[])
    : [];
  const marks = new Map(rows.map((row) => [row.id, markOf(row)]));
  const missing = findingIds.filter((id) => !marks.has(id));
  if (missing.length > 0) throw new ApiError(404, "finding_not_found", findingIds.length === 1 ? FINDING_NOT_FOUND_MESSAGE : `The current detection run has no finding with these ids: ${missing.join(", ")}.`);
  // In the order asked.
  return new Map(findingIds.map((id) => [id, marks.get(id)!]));
}

function markOf(stored: { mode: "default" | "kql"; row: string }): EvidenceMark {
  const row = JSON.parse(stored.row) as StoredDefaultFinding | SeedQueryRow;
  return stored.mode === "kql" ? seedRowMark(row as SeedQueryRow) : defaultFindingMark(row as StoredDefaultFinding);
}

/** Appends a note (kept as text) to a finding, and records it in the audit log. */
export function addFindingNote(findingId: string, text: string, actor: TriageActor): TriageDetail {
  const db = sqliteConnection();
  const at = storeTimestamp(new Date());
  db.transaction(() => {
    db.prepare(`INSERT INTO "FindingNote" ("findingId", "at", "author", "text") VALUES (?, ?, ?, ?)`).run(findingId, at, actor.label, text);
    insertAudit(db, at, actor, "finding.note", findingId, { text });
  }).immediate();
  return triageDetail(findingId);
}

/**
 * After a run: each resolved finding the run found again with activity its resolution did not see
 * (connections after its last one then, a rule that had not fired) goes back to "new", saying what
 * changed; history and the audit log name detection as the actor. Returns how many it reopened.
 */
export function reopenResolvedWithNewActivity(runId: string): number {
  const db = sqliteConnection();
  return db.transaction(() => {
    const resolved = db
      .prepare(
        `SELECT t.*, f."mode", f."row" FROM "FindingTriage" t JOIN "Finding" f ON f."id" = t."findingId" AND f."runId" = ?
         WHERE t."status" = 'resolved' AND t."resolvedMark" IS NOT NULL`,
      )
      .all(runId) as (TriageRow & { mode: "default" | "kql"; row: string })[];
    let reopenedCount = 0;
    for (const row of resolved) {
      const changed = newActivitySince(JSON.parse(row.resolvedMark!) as EvidenceMark, markOf(row));
      if (changed.length === 0) continue;
      const { next, changes } = applyTriageChange(summaryOf(row), { status: "new" });
      const reopened = `Reopened: new activity: ${changed.join("; ")}.`;
      const at = storeTimestamp(new Date());
      writeTriage(db, at, row.findingId, next, { resolvedMark: null, resolvedAt: null, reopened }, changes, { label: DETECTION_ACTOR, address: null }, "finding.reopen", { reopened });
      reopenedCount++;
    }
    return reopenedCount;
  }).immediate();
}

/** The username as stored (sign-in names are case-insensitive) of an active account that may triage, or null. */
function activeUsername(db: Database.Database, name: string): string | null {
  return (db.prepare(`SELECT "username" FROM "user" WHERE lower("username") = lower(?) AND ${MAY_TRIAGE}`).pluck().get(name) as string | undefined) ?? null;
}

/** Accounts a finding can be assigned to: enabled, with a role that may triage (the edit permission). */
const MAY_TRIAGE = `coalesce("banned", 0) = 0 AND "role" IN (SELECT "value" FROM json_each('${JSON.stringify(ROLES.filter((role) => accountCan({ role }, "edit")))}'))`;

/** The usernames a finding can be assigned to, sorted. */
export function assignableUsernames(): string[] {
  return sqliteConnection().prepare(`SELECT "username" FROM "user" WHERE "username" IS NOT NULL AND ${MAY_TRIAGE} ORDER BY "username"`).pluck().all() as string[];
}

function writeTriage(
  db: Database.Database,
  at: string,
  findingId: string,
  next: TriageState,
  kept: KeptColumns,
  changes: readonly TriageFieldChange[],
  actor: TriageActor,
  action: AuditAction,
  extra: Record<string, unknown> = {},
): void {
  db.prepare(
    `INSERT INTO "FindingTriage" ("findingId", "status", "classification", "reason", "assignee", "tags", "resolvedMark", "reopened", "resolvedAt", "updatedAt")
     VALUES (@findingId, @status, @classification, @reason, @assignee, @tags, @resolvedMark, @reopened, @resolvedAt, @at)
     ON CONFLICT ("findingId") DO UPDATE SET "status" = excluded."status", "classification" = excluded."classification", "reason" = excluded."reason",
       "assignee" = excluded."assignee", "tags" = excluded."tags", "resolvedMark" = excluded."resolvedMark", "reopened" = excluded."reopened",
       "resolvedAt" = excluded."resolvedAt", "updatedAt" = excluded."updatedAt"`,
  ).run({ findingId, ...next, tags: JSON.stringify(next.tags), ...kept, at });
  const addHistory = db.prepare(`INSERT INTO "FindingHistory" ("findingId", "at", "actor", "field", "from", "to") VALUES (?, ?, ?, ?, ?, ?)`);
  for (const entry of changes) addHistory.run(findingId, at, actor.label, entry.field, entry.from, entry.to);
  insertAudit(db, at, actor, action, findingId, { changes, ...extra });
}

/** An audit entry written in the caller's transaction. */
export function insertAudit(db: Database.Database, at: string, actor: TriageActor, action: AuditAction, target: string, detail: Record<string, unknown>): void {
  db.prepare(`INSERT INTO "AuditEntry" ("at", "actor", "action", "target", "detail", "address") VALUES (?, ?, ?, ?, ?, ?)`).run(at, actor.label, action, target, JSON.stringify(detail), actor.address);
}
