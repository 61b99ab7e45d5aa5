import "server-only";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { AUDIT_ACTIONS, type AuditAction } from "../auth/audit-actions";
import { actorLabel, type Actor } from "../auth/roles";
import type { Prisma } from "../generated/prisma/client";
import { prisma } from "./db";

/** Who asked, from where: what a route handler knows of its caller. */
export type Caller = { actor: Actor; address: string };

export type AuditRecord = { actor: string; action: AuditAction; target?: string | null; detail?: Record<string, unknown>; address?: string | null };

export async function recordAudit(entry: AuditRecord): Promise<void> {
  await prisma.auditEntry.create({
    data: { actor: entry.actor, action: entry.action, target: entry.target ?? null, detail: JSON.stringify(entry.detail ?? {}), address: entry.address ?? null },
  });
}

/** An audit entry for what a signed-in caller (or a token) did. */
export function auditCaller(caller: Caller, action: AuditAction, target?: string | null, detail?: Record<string, unknown>): Promise<void> {
  return recordAudit({ actor: actorLabel(caller.actor), action, target, detail, address: caller.address });
}

export const auditQuerySchema = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  page: z.coerce.number().int().min(1).default(1),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const AUDIT_PAGE_SIZE = 100;

export type AuditEntryView = { id: number; at: string; actor: string; action: string; target: string | null; detail: Record<string, unknown>; address: string | null };

function auditWhere(query: AuditQuery): Prisma.AuditEntryWhereInput {
  return {
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.from || query.to ? { at: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
  };
}

function toView(entry: { id: number; at: Date; actor: string; action: string; target: string | null; detail: string; address: string | null }): AuditEntryView {
  return { ...entry, at: entry.at.toISOString(), detail: JSON.parse(entry.detail) as Record<string, unknown> };
}

/** One page of entries matching the filters, newest first, and how many match in all. */
export async function listAuditEntries(query: AuditQuery): Promise<{ entries: AuditEntryView[]; total: number; page: number; pageSize: number }> {
  const where = auditWhere(query);
  const [rows, total] = await Promise.all([
    prisma.auditEntry.findMany({ where, orderBy: { id: "desc" }, skip: (query.page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
    prisma.auditEntry.count({ where }),
  ]);
  return { entries: rows.map(toView), total, page: query.page, pageSize: AUDIT_PAGE_SIZE };
}

const CSV_COLUMNS = ["at", "actor", "action", "target", "address", "detail"] as const;
const CSV_SLICE = 1_000;

/**
 * Every matching entry as CSV, newest first, a slice at a time. Entries hold attacker-chosen text
 * (a username tried at sign-in, a file name): csv-stringify quotes them and prefixes a cell that
 * starts with = + - @ tab or CR with ', so a spreadsheet shows it instead of running it.
 */
export async function* auditCsv(query: AuditQuery): AsyncGenerator<string> {
  const where = auditWhere(query);
  yield stringify([CSV_COLUMNS as unknown as string[]]);
  let before: number | undefined;
  for (;;) {
    const rows = await prisma.auditEntry.findMany({ where: before === undefined ? where : { AND: [where, { id: { lt: before } }] }, orderBy: { id: "desc" }, take: CSV_SLICE });
    if (rows.length === 0) return;
    yield stringify(rows.map((row) => [row.at.toISOString(), row.actor, row.action, row.target ?? "", row.address ?? "", row.detail]), { escape_formulas: true });
    before = rows[rows.length - 1].id;
  }
}
