import "server-only";
import { allowlistValueKey, validateAllowlistValue } from "../detection/allowlist-entry-schema";
import { DETECTION_LIST_NAMES, type DetectionListName } from "../detection/detection-lists";
import type { SuppressionConditions, SuppressionInput } from "../tuning/suppression";
import { formatOfContentType, TRANSFER_LIMITS, type ExportedLists, type ExportedSuppression, type ImportedLists, type ImportProblem, type TransferFormat } from "../tuning/tuning-transfer";
import { ensureDefaultAllowlists, listAllowlistEntries } from "./allowlist-store";
import { ApiError } from "./api-error";
import { prisma } from "./db";
import { sqliteConnection, storeTimestamp } from "./sqlite-connection";
import { addSuppressions } from "./suppression-store";
import type { TriageActor } from "./triage-store";

// ---------------------------------------------------------------------------------------------
// Suppressions

/** Every entry, oldest first (an import adds them in that order; rowid orders those added together), with ISO times. */
export function exportedSuppressions(): ExportedSuppression[] {
  const rows = sqliteConnection().prepare(`SELECT "conditions", "reason", "expiresAt", "createdBy", "createdAt" FROM "Suppression" ORDER BY "createdAt", rowid`).all() as {
    conditions: string;
    reason: string;
    expiresAt: string | null;
    createdBy: string;
    createdAt: string;
  }[];
  return rows.map((row) => ({
    conditions: JSON.parse(row.conditions) as SuppressionConditions,
    reason: row.reason,
    expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
  }));
}

export interface SuppressionImport {
  added: number;
  /** Entries identical to one stored (or to one earlier in the file): not added again. */
  skipped: number;
}

/**
 * Adds validated entries (parseSuppressions) all together or not at all: each as POST
 * /api/suppressions adds it (addSuppressions: created by `actor`, its history, its audit entry,
 * its matches in every stored run), in one transaction. An entry with the same conditions, reason
 * and expiry as one stored (in force or expired), or as one earlier in the file, is skipped.
 */
export function importSuppressions(inputs: readonly SuppressionInput[], actor: TriageActor): SuppressionImport {
  const db = sqliteConnection();
  return db
    .transaction(() => {
      // Expired entries too: importing an export again must not add its expired entries again.
      const stored = db.prepare(`SELECT "conditions", "reason", "expiresAt" FROM "Suppression"`).all() as { conditions: string; reason: string; expiresAt: string | null }[];
      const present = new Set(stored.map((row) => identityOf(JSON.parse(row.conditions), row.reason, row.expiresAt)));
      const toAdd = inputs.filter((input) => {
        const identity = identityOf(input.conditions, input.reason, input.expiresAt ? storeTimestamp(new Date(input.expiresAt)) : null);
        if (present.has(identity)) return false;
        present.add(identity);
        return true;
      });
      // Nested in this transaction, addSuppressions' own one is a savepoint: a later failure undoes it.
      addSuppressions(toAdd, actor);
      return { added: toAdd.length, skipped: inputs.length - toAdd.length };
    })
    .immediate();
}

/** What makes two entries the same: their conditions (whatever their keys' and values' order), reason and expiry as stored. */
function identityOf(conditions: SuppressionConditions, reason: string, storedExpiry: string | null): string {
  const canonical = Object.entries(conditions)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => [key, Array.isArray(value) ? value.map(String).sort() : value]);
  return JSON.stringify([canonical, reason, storedExpiry]);
}

// ---------------------------------------------------------------------------------------------
// The four lists

export async function exportedLists(): Promise<ExportedLists> {
  const lists: ExportedLists = { cryptoLibraries: [], excludedSystemProcesses: [], excludedBrowsers: [], standardPorts: [] };
  for (const entry of await listAllowlistEntries()) lists[entry.list].push(entry.value);
  return lists;
}

export const LIST_IMPORT_MODES = ["merge", "replace"] as const;
export type ListImportMode = (typeof LIST_IMPORT_MODES)[number];

export interface ListChange {
  list: DetectionListName;
  added: string[];
  removed: string[];
}

export interface ListImport {
  added: number;
  /** Values already in their list (compared as the editor compares them), or given twice. */
  skipped: number;
  /** Replace only: values no longer in their list. */
  removed?: number;
  /** Each list that changed, with what it gained and lost (for the audit log and the rerun). */
  changes: ListChange[];
}

/**
 * Applies validated values (parseLists) in one transaction. `merge` adds each value its list does
 * not hold yet; `replace` makes each list the file names exactly its values (an entry already
 * there under another case keeps its spelling), leaving the lists it does not name alone.
 * Detection is left to the caller (detectionAfterListChange, as the allowlist routes do).
 */
export async function importLists(lists: ImportedLists, mode: ListImportMode): Promise<ListImport> {
  await ensureDefaultAllowlists();
  return prisma.$transaction(
    async (tx) => {
      let added = 0;
      let skipped = 0;
      let removed = 0;
      const changes: ListChange[] = [];
      for (const list of DETECTION_LIST_NAMES) {
        const values = lists[list];
        if (values === undefined) continue;
        const wanted = new Map<string, string>();
        for (const raw of values) {
          // Validated by parseLists already; checked again so a caller that did not cannot store a bad value.
          const validated = validateAllowlistValue(list, raw, []);
          if (!validated.ok) throw new ApiError(422, "invalid_value", `${list}: ${validated.message}`, { field: list, message: validated.message });
          if (!wanted.has(validated.key)) wanted.set(validated.key, validated.value);
        }
        const existing = await tx.allowlistEntry.findMany({ where: { list }, select: { id: true, value: true } });
        const present = new Set(existing.map((entry) => allowlistValueKey(entry.value)));
        const toAdd = [...wanted].filter(([key]) => !present.has(key));
        const toRemove = mode === "replace" ? existing.filter((entry) => !wanted.has(allowlistValueKey(entry.value))).sort((a, b) => listOrder(a.value, b.value)) : [];
        if (toAdd.length > 0) await tx.allowlistEntry.createMany({ data: toAdd.map(([valueKey, value]) => ({ list, value, valueKey })) });
        if (toRemove.length > 0) await tx.allowlistEntry.deleteMany({ where: { id: { in: toRemove.map((entry) => entry.id) } } });
        added += toAdd.length;
        skipped += values.length - toAdd.length;
        removed += toRemove.length;
        if (toAdd.length > 0 || toRemove.length > 0) changes.push({ list, added: toAdd.map(([, value]) => value), removed: toRemove.map((entry) => entry.value) });
      }
      return mode === "replace" ? { added, skipped, removed, changes } : { added, skipped, changes };
    },
    { timeout: 60_000 },
  );
}

/** The order the Tuning page lists values in: ports by number, names alphabetically ignoring case. */
function listOrder(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b, "en", { sensitivity: "base" });
}

// ---------------------------------------------------------------------------------------------
// Reading an import's request

/** The bodies a cross-site form can send: never taken for a file, whatever ?format= says. */
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

/**
 * The file an import request carries as its body, and its format: `format` (from ?format=) or
 * else its Content-Type (text/csv or application/json). At most TRANSFER_LIMITS.maxBytes are
 * read (413 beyond), as UTF-8 (400 otherwise).
 */
export async function readImportFile(request: Request, format: TransferFormat | undefined): Promise<{ text: string; format: TransferFormat }> {
  const contentType = request.headers.get("content-type");
  const baseType = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  const chosen = FORM_TYPES.has(baseType) ? null : (format ?? formatOfContentType(contentType));
  if (chosen === null) {
    throw new ApiError(415, "unsupported_media_type", "Send the file as the body with Content-Type: text/csv or application/json (or name its format with ?format=csv or ?format=json).");
  }
  return { text: await readBoundedText(request, TRANSFER_LIMITS.maxBytes), format: chosen };
}

async function readBoundedText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new ApiError(413, "file_too_large", `The file is larger than ${maxBytes / 1024 / 1024} MiB, the most an import reads.`);
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  if (!request.body) throw new ApiError(400, "empty_body", "The request has no body: send the file as the body.");
  const reader = request.body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let size = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof TypeError && /encoded data was not valid/i.test(error.message)) throw new ApiError(400, "not_utf8", "The file is not UTF-8 text: save it as UTF-8 and import it again.");
    throw error;
  }
}

/** The refusal of a file with problems (422): each with its line, the first TRANSFER_LIMITS.maxListedProblems of them. Nothing was changed. */
export function importRefusal(result: { problems: ImportProblem[]; problemCount: number }): ApiError {
  const count = result.problemCount === 1 ? "1 problem" : `${result.problemCount.toLocaleString("en-US")} problems`;
  const listed = result.problemCount > result.problems.length ? ` (the first ${result.problems.length} are listed)` : "";
  return new ApiError(422, "invalid_file", `Nothing was imported: the file has ${count}${listed}. Correct them and import it again.`, {
    errors: result.problems,
    errorCount: result.problemCount,
  });
}
