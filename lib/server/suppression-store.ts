import "server-only";
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { AuditAction } from "../auth/audit-actions";
import type { DefaultFindingSummary } from "../detection/finding-list";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import { suppresses, type SuppressibleFinding, type SuppressionConditions, type SuppressionInput } from "../tuning/suppression";
import { suppressibleDefaultFinding, suppressibleSeedRow } from "../tuning/suppressible-finding";
import { ApiError } from "./api-error";
import { sqliteConnection, storeTimestamp } from "./sqlite-connection";
import { insertAudit, type TriageActor } from "./triage-store";

export interface SuppressionView {
  id: string;
  conditions: SuppressionConditions;
  reason: string;
  expiresAt: string | null;
  expired: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Findings of the current run it hides now (none once expired). */
  suppresses: number;
}

export interface SuppressionHistoryEntry {
  at: string;
  actor: string;
  change: "added" | "updated" | "removed";
  before: SuppressionInput | null;
  after: SuppressionInput | null;
}

type SuppressionRow = { id: string; conditions: string; reason: string; expiresAt: string | null; createdBy: string; createdAt: string; updatedAt: string };

/** In force at `now`: no expiry, or one still ahead (both as the store writes times). */
export const ACTIVE_AT = (alias: string) => `(${alias}."expiresAt" IS NULL OR ${alias}."expiresAt" > ?)`;

const inputOf = (row: SuppressionRow): SuppressionInput => ({ conditions: JSON.parse(row.conditions), reason: row.reason, expiresAt: row.expiresAt });

/** Stored findings (of one run, or every run still stored), 500 at a time: writes may come between slices. */
function* storedFindings(db: Database.Database, runId: string | null): Generator<{ id: string; runId: string; finding: SuppressibleFinding }> {
  const slice = db
    .prepare(`SELECT "id", "runId", "mode", "row", "outsideSystemFolder" FROM "Finding" WHERE (? IS NULL OR "runId" = ?) AND ("runId", "id") > (?, ?) ORDER BY "runId", "id" LIMIT 500`)
    .raw();
  for (let after = ["", ""]; ; ) {
    const rows = slice.all(runId, runId, ...after) as [string, string, "default" | "kql", string, number][];
    if (rows.length === 0) return;
    for (const [id, findingRunId, mode, row, outsideSystemFolder] of rows) {
      const parsed = JSON.parse(row) as DefaultFindingSummary | SeedQueryRow;
      yield {
        id,
        runId: findingRunId,
        finding: mode === "kql" ? suppressibleSeedRow(parsed as SeedQueryRow) : suppressibleDefaultFinding(parsed as DefaultFindingSummary, outsideSystemFolder === 1),
      };
    }
    const last = rows[rows.length - 1];
    after = [last[1], last[0]];
  }
}

/** Records which stored findings (of one run, or of every run still stored) each entry suppresses. */
function recordMatches(db: Database.Database, runId: string | null, entries: readonly { id: string; conditions: SuppressionConditions }[]): void {
  if (entries.length === 0) return;
  const insert = db.prepare(`INSERT OR IGNORE INTO "FindingSuppression" ("runId", "findingId", "suppressionId") VALUES (?, ?, ?)`);
  for (const stored of storedFindings(db, runId)) {
    for (const entry of entries) if (suppresses(entry.conditions, stored.finding)) insert.run(stored.runId, stored.id, entry.id);
  }
}

/**
 * A run's findings matched against every suppression, before the run is made current. Every
 * entry, expired ones included: expiry is checked as findings are read, so one extended later
 * applies again without a rerun.
 */
export function recordRunSuppressions(runId: string): void {
  const db = sqliteConnection();
  db.transaction(() => {
    db.prepare(`DELETE FROM "FindingSuppression" WHERE "runId" = ?`).run(runId);
    const entries = (db.prepare(`SELECT "id", "conditions" FROM "Suppression"`).all() as { id: string; conditions: string }[]).map((row) => ({ id: row.id, conditions: JSON.parse(row.conditions) }));
    recordMatches(db, runId, entries);
  }).immediate();
}

/** Adds an entry; answers it with what it hides in the run `runId` (the current one). */
export function addSuppression(input: SuppressionInput, actor: TriageActor, runId: string | null): SuppressionView {
  const [id] = addSuppressions([input], actor);
  return suppressionView(id, runId);
}

/**
 * Adds entries in one transaction (an import: all or none), each with its history and audit
 * entry; their matches are found in one pass over the stored findings. Answers their ids.
 */
export function addSuppressions(inputs: readonly SuppressionInput[], actor: TriageActor): string[] {
  const db = sqliteConnection();
  const at = storeTimestamp(new Date());
  return db
    .transaction(() => {
      const insert = db.prepare(`INSERT INTO "Suppression" ("id", "conditions", "reason", "expiresAt", "createdBy", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)`);
      const entries = inputs.map((input) => {
        const id = randomUUID().replaceAll("-", "");
        insert.run(id, JSON.stringify(input.conditions), input.reason, storedTime(input.expiresAt), actor.label, at, at);
        recordChange(db, at, id, actor, "added", null, { ...input, expiresAt: storedTime(input.expiresAt) }, "suppression.add");
        return { id, conditions: input.conditions };
      });
      // Every run still stored: a run finishing now made current with them too (see recordRunSuppressions).
      recordMatches(db, null, entries);
      return entries.map((entry) => entry.id);
    })
    .immediate();
}

/** Replaces an entry's conditions, reason or expiry (what the change leaves out stays); its matches are worked out again. */
export function updateSuppression(id: string, change: Partial<SuppressionInput>, actor: TriageActor, runId: string | null): SuppressionView {
  const db = sqliteConnection();
  const at = storeTimestamp(new Date());
  db.transaction(() => {
    const row = readRow(db, id);
    const before = inputOf(row);
    const after: SuppressionInput = {
      conditions: change.conditions ?? before.conditions,
      reason: change.reason ?? before.reason,
      expiresAt: change.expiresAt === undefined ? before.expiresAt : storedTime(change.expiresAt),
    };
    db.prepare(`UPDATE "Suppression" SET "conditions" = ?, "reason" = ?, "expiresAt" = ?, "updatedAt" = ? WHERE "id" = ?`).run(JSON.stringify(after.conditions), after.reason, after.expiresAt ?? null, at, id);
    db.prepare(`DELETE FROM "FindingSuppression" WHERE "suppressionId" = ?`).run(id);
    recordMatches(db, null, [{ id, conditions: after.conditions }]);
    recordChange(db, at, id, actor, "updated", before, after, "suppression.update");
  }).immediate();
  return suppressionView(id, runId);
}

export function removeSuppression(id: string, actor: TriageActor): void {
  const db = sqliteConnection();
  const at = storeTimestamp(new Date());
  db.transaction(() => {
    const before = inputOf(readRow(db, id));
    db.prepare(`DELETE FROM "Suppression" WHERE "id" = ?`).run(id);
    db.prepare(`DELETE FROM "FindingSuppression" WHERE "suppressionId" = ?`).run(id);
    recordChange(db, at, id, actor, "removed", before, null, "suppression.remove");
  }).immediate();
}

/** Every entry, newest first, with what each hides in the current run now. */
export function listSuppressions(runId: string | null): SuppressionView[] {
  const ids = sqliteConnection().prepare(`SELECT "id" FROM "Suppression" ORDER BY "createdAt" DESC, rowid DESC`).pluck().all() as string[];
  return ids.map((id) => suppressionView(id, runId));
}

/** The entries in force now, oldest first: what the SIEM exports compile in. */
export function suppressionsInForce(): { id: string; conditions: SuppressionConditions; expiresAt: string | null }[] {
  const rows = sqliteConnection()
    .prepare(`SELECT "id", "conditions", "expiresAt" FROM "Suppression" s WHERE ${ACTIVE_AT("s")} ORDER BY "createdAt", rowid`)
    .all(storeTimestamp(new Date())) as { id: string; conditions: string; expiresAt: string | null }[];
  return rows.map((row) => ({ id: row.id, conditions: JSON.parse(row.conditions), expiresAt: row.expiresAt }));
}

export function suppressionHistory(id: string): SuppressionHistoryEntry[] {
  const rows = sqliteConnection().prepare(`SELECT "at", "actor", "change", "before", "after" FROM "SuppressionHistory" WHERE "suppressionId" = ? ORDER BY "id"`).all(id) as {
    at: string;
    actor: string;
    change: SuppressionHistoryEntry["change"];
    before: string | null;
    after: string | null;
  }[];
  return rows.map((row) => ({ ...row, before: row.before && JSON.parse(row.before), after: row.after && JSON.parse(row.after) }));
}

export function suppressionView(id: string, runId: string | null): SuppressionView {
  const db = sqliteConnection();
  const row = readRow(db, id);
  const now = storeTimestamp(new Date());
  const expired = row.expiresAt !== null && row.expiresAt <= now;
  const count = expired
    ? 0
    : (db.prepare(`SELECT count(DISTINCT "findingId") FROM "FindingSuppression" WHERE "suppressionId" = ? AND "runId" = ?`).pluck().get(id, runId ?? "") as number);
  return { ...inputOf(row), id, expiresAt: row.expiresAt, expired, createdBy: row.createdBy, createdAt: row.createdAt, updatedAt: row.updatedAt, suppresses: count };
}

/** The entries in force now that suppress each of these findings of a run. */
export function suppressedBy(runId: string, findingIds: readonly string[]): Map<string, string[]> {
  const rows = sqliteConnection()
    .prepare(
      `SELECT fs."findingId", fs."suppressionId" FROM "FindingSuppression" fs JOIN "Suppression" s ON s."id" = fs."suppressionId"
       WHERE fs."runId" = ? AND fs."findingId" IN (SELECT "value" FROM json_each(?)) AND ${ACTIVE_AT("s")} ORDER BY fs."suppressionId"`,
    )
    .raw()
    .all(runId, JSON.stringify(findingIds), storeTimestamp(new Date())) as [string, string][];
  const byFinding = new Map<string, string[]>(findingIds.map((id) => [id, []]));
  for (const [findingId, suppressionId] of rows) byFinding.get(findingId)?.push(suppressionId);
  return byFinding;
}

/**
 * What saving would change in the current run's list, before saving: the findings a new or edited
 * entry would hide that nothing hides now, and the findings that would come back (an edit
 * narrowing its entry, or a removal: `without` names the entry replaced or removed). Findings
 * other entries in force hide stay hidden either way.
 */
export function previewSuppression(runId: string | null, input: SuppressionInput | null, without: string | null): { suppresses: string[]; restores: string[] } {
  if (runId === null) return { suppresses: [], restores: [] };
  const db = sqliteConnection();
  const now = storeTimestamp(new Date());
  const hiddenBy = new Map<string, Set<string>>();
  const active = db
    .prepare(`SELECT fs."findingId", fs."suppressionId" FROM "FindingSuppression" fs JOIN "Suppression" s ON s."id" = fs."suppressionId" WHERE fs."runId" = ? AND ${ACTIVE_AT("s")}`)
    .raw()
    .all(runId, now) as [string, string][];
  for (const [findingId, suppressionId] of active) hiddenBy.set(findingId, (hiddenBy.get(findingId) ?? new Set()).add(suppressionId));
  // An edit that leaves the expiry out keeps the entry's own, as saving it would.
  const expiresAt = input?.expiresAt === undefined && without !== null ? readRow(db, without).expiresAt : storedTime(input?.expiresAt);
  const inForce = input !== null && (expiresAt === null || expiresAt > now);
  const suppressing: string[] = [];
  const restoring: string[] = [];
  for (const stored of storedFindings(db, runId)) {
    const others = [...(hiddenBy.get(stored.id) ?? [])].filter((id) => id !== without);
    const hiddenNow = hiddenBy.has(stored.id);
    const hiddenAfter = others.length > 0 || (inForce && suppresses(input.conditions, stored.finding));
    if (!hiddenNow && hiddenAfter) suppressing.push(stored.id);
    if (hiddenNow && !hiddenAfter) restoring.push(stored.id);
  }
  return { suppresses: suppressing.sort(), restores: restoring.sort() };
}

function readRow(db: Database.Database, id: string): SuppressionRow {
  const row = db.prepare(`SELECT * FROM "Suppression" WHERE "id" = ?`).get(id) as SuppressionRow | undefined;
  if (!row) throw new ApiError(404, "suppression_not_found", "There is no suppression with this id.");
  return row;
}

/** An expiry as the store keeps it (Prisma's form, so text comparison orders it). */
function storedTime(iso: string | null | undefined): string | null {
  return iso ? storeTimestamp(new Date(iso)) : null;
}

function recordChange(
  db: Database.Database,
  at: string,
  id: string,
  actor: TriageActor,
  change: SuppressionHistoryEntry["change"],
  before: SuppressionInput | null,
  after: SuppressionInput | null,
  action: AuditAction,
): void {
  db.prepare(`INSERT INTO "SuppressionHistory" ("suppressionId", "at", "actor", "change", "before", "after") VALUES (?, ?, ?, ?, ?, ?)`).run(
    id,
    at,
    actor.label,
    change,
    before && JSON.stringify(before),
    after && JSON.stringify(after),
  );
  insertAudit(db, at, actor, action, id, { before, after });
}
