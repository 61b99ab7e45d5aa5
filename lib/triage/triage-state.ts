/**
 * An analyst's decisions about a finding: its status, the verdict that resolves it, who owns it,
 * its tags, and what each change did (for the finding's history). Pure: the store applies a
 * change only as this module computes it, and records the entries it returns.
 */
import { z } from "zod";
import { RULE_LABELS, type RuleId } from "../detection/default-detection";
import { findingIdSchema } from "../detection/finding-id";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";

export const TRIAGE_STATUSES = ["new", "investigating", "resolved"] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

export const CLASSIFICATIONS = ["true_positive", "false_positive", "benign", "security_testing"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** How history names the fields. */
export const TRIAGE_FIELD_LABELS: Record<keyof TriageState, string> = { status: "Status", classification: "Classification", reason: "Reason", assignee: "Assignee", tags: "Tags" };

export const STATUS_LABELS: Record<TriageStatus, string> = { new: "New", investigating: "Investigating", resolved: "Resolved" };
export const CLASSIFICATION_LABELS: Record<Classification, string> = {
  true_positive: "True positive",
  false_positive: "False positive",
  benign: "Benign (expected activity)",
  security_testing: "Security testing",
};

/** A finding's triage as lists show it. */
export interface TriageSummary extends TriageState {
  /** What new activity reopened it, until its status next changes. */
  reopened: string | null;
}

/** A list's row (or an API item) with its finding's triage and the suppressions in force that hide it (lib/tuning/suppression). */
export type WithTriage<Row> = Row & { triage: TriageSummary; suppressedBy: string[] };

export interface TriageNote {
  author: string;
  at: string;
  text: string;
}

export interface TriageHistoryEntry extends TriageFieldChange {
  at: string;
  actor: string;
}

/** A finding's triage with its notes and history, oldest first, as its page and the API show it. */
export interface TriageDetail extends TriageSummary {
  notes: TriageNote[];
  history: TriageHistoryEntry[];
}

export interface TriageState {
  status: TriageStatus;
  /** Set exactly when resolved, with its reason. */
  classification: Classification | null;
  reason: string | null;
  /** A username. */
  assignee: string | null;
  tags: string[];
}

/** Every finding starts here, and stays here until someone changes it. */
export const NEW_TRIAGE: TriageState = { status: "new", classification: null, reason: null, assignee: null, tags: [] };

export const MAX_TAGS = 20;
export const MAX_REASON_CHARS = 2000;
export const MAX_NOTE_CHARS = 10_000;

/** A tag as stored: trimmed and lower-cased, so "C2" and "c2 " are one tag. */
export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._:/-]{0,39}$/u, { error: "A tag is 1 to 40 letters, digits, spaces or . _ : / -, starting with a letter or digit." });

/** The fields a change may set; null clears one. */
const CHANGE_FIELDS = {
  status: z.enum(TRIAGE_STATUSES, { error: `status must be one of ${TRIAGE_STATUSES.join(", ")}` }).optional(),
  classification: z.enum(CLASSIFICATIONS, { error: `classification must be one of ${CLASSIFICATIONS.join(", ")}` }).nullable().optional(),
  reason: z.string().trim().max(MAX_REASON_CHARS).nullable().optional(),
  assignee: z.string().trim().min(1).max(100).nullable().optional(),
};
const notEmpty = (change: object) => Object.keys(change).length > 0;

/** A change as the API takes it: any of the fields, tags replacing the finding's. */
export const triageChangeSchema = z
  .strictObject({ ...CHANGE_FIELDS, tags: z.array(tagSchema).max(MAX_TAGS, { error: `At most ${MAX_TAGS} tags.` }).optional() })
  .refine(notEmpty, { error: "Send at least one of status, classification, reason, assignee, tags." });
export type TriageChange = z.infer<typeof triageChangeSchema>;

/** Most findings one bulk change may touch: a page of the list is 100. */
export const MAX_BULK_FINDINGS = 500;

/**
 * A change to several findings at once (`PATCH /api/findings`): the same fields, except that tags
 * are added to each finding's own (`addTags`), as replacing them would erase different tag sets.
 */
export const triageBulkChangeSchema = z.strictObject({
  ids: z.array(findingIdSchema).min(1).max(MAX_BULK_FINDINGS),
  change: z
    .strictObject({ ...CHANGE_FIELDS, addTags: z.array(tagSchema).min(1).max(MAX_TAGS).optional() })
    .refine(notEmpty, { error: "Send at least one of status, classification, reason, assignee, addTags." }),
});
export type TriageBulkChange = z.infer<typeof triageBulkChangeSchema>["change"];

/** One finding's share of a bulk change: its own tags plus the added ones. */
export function changeForFinding(current: TriageState, { addTags, ...fields }: TriageBulkChange): TriageChange {
  return addTags === undefined ? fields : { ...fields, tags: [...current.tags, ...addTags] };
}

/** One line of a finding's history: which field went from what to what (tags as a comma list). */
export interface TriageFieldChange {
  field: keyof TriageState;
  from: string | null;
  to: string | null;
}

export class TriageRuleError extends Error {}

/**
 * The state after a change, and one history entry per field it changed. Resolving needs a
 * classification and a reason; a new classification needs its own reason (the old one explained
 * another verdict); leaving "resolved" clears both, as a verdict belongs to a resolution.
 * Throws TriageRuleError when the change breaks one of these rules.
 */
export function applyTriageChange(current: TriageState, change: TriageChange): { next: TriageState; changes: TriageFieldChange[] } {
  const status = change.status ?? current.status;
  const tags = change.tags === undefined ? current.tags : [...new Set(change.tags)];
  const assignee = change.assignee === undefined ? current.assignee : change.assignee;
  let classification: Classification | null = null;
  let reason: string | null = null;
  if (status === "resolved") {
    classification = change.classification === undefined ? current.classification : change.classification;
    const classificationChanged = classification !== current.classification;
    reason = change.reason === undefined ? (classificationChanged ? null : current.reason) : change.reason || null;
    if (classification === null) throw new TriageRuleError("A resolved finding needs a classification: true positive, false positive, benign or security testing.");
    if (reason === null) throw new TriageRuleError(classificationChanged ? "Give the reason for this classification." : "A resolved finding needs a reason.");
  } else if (change.classification || change.reason) {
    throw new TriageRuleError("A classification and its reason are given when the finding is resolved: set status to resolved with them.");
  }
  if (tags.length > MAX_TAGS) throw new TriageRuleError(`A finding has at most ${MAX_TAGS} tags.`);
  const next: TriageState = { status, classification, reason, assignee, tags };
  const changes: TriageFieldChange[] = [];
  for (const field of ["status", "classification", "reason", "assignee", "tags"] as const) {
    const from = historyValue(current[field]);
    const to = historyValue(next[field]);
    if (from !== to) changes.push({ field, from, to });
  }
  return { next, changes };
}

function historyValue(value: TriageState[keyof TriageState]): string | null {
  if (Array.isArray(value)) return value.length === 0 ? null : value.join(", ");
  return value;
}

/** What a finding showed when it was resolved: activity beyond it reopens the finding. */
export interface EvidenceMark {
  /** The last connection's time (ISO 8601, as the finding stores it). */
  lastConnection: string;
  connections: number;
  /** The default mode's rules that fired (none for a seed query row). */
  rules: RuleId[];
}

/** A default-mode finding's mark. */
export function defaultFindingMark(finding: { rules: readonly RuleId[]; connections: { count: number; lastConnection: string } }): EvidenceMark {
  return { lastConnection: finding.connections.lastConnection, connections: finding.connections.count, rules: [...finding.rules] };
}

/** A seed query row's mark. */
export function seedRowMark(row: { LastConnection: string; ConnectionCount: number }): EvidenceMark {
  return { lastConnection: row.LastConnection, connections: row.ConnectionCount, rules: [] };
}

/**
 * What a finding shows now that it did not when it was resolved: connections after the last one
 * then, and rules that had not fired. Empty when nothing is new (fewer connections alone is the
 * lookback moving on, not activity).
 */
export function newActivitySince(resolved: EvidenceMark, now: EvidenceMark): string[] {
  const changes: string[] = [];
  // Microseconds, as stored: Date.parse would drop what is below a millisecond.
  const after = (a: string, b: string) => (parseIsoTimestamp(a)?.us ?? Number.NaN) > (parseIsoTimestamp(b)?.us ?? Number.NaN);
  if (after(now.lastConnection, resolved.lastConnection)) {
    changes.push(`connections after it was resolved: last seen ${resolved.lastConnection}, now ${now.lastConnection} (${resolved.connections} connections then, ${now.connections} now)`);
  }
  const newRules = now.rules.filter((rule) => !resolved.rules.includes(rule));
  if (newRules.length > 0) changes.push(`${newRules.length === 1 ? "a new rule" : "new rules"}: ${newRules.map((rule) => RULE_LABELS[rule]).join("; ")}`);
  return changes;
}

