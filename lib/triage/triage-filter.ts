/**
 * The findings lists' triage filters, read from a URL's parameters (the page's and the API's are
 * the same): `status`, `assignee`, `classification`, `tag`, `resolvedFrom`. Pure.
 */
import { z } from "zod";
import { CLASSIFICATIONS, TRIAGE_STATUSES, tagSchema, type Classification, type TriageStatus } from "./triage-state";

export interface TriageFilter {
  /** The statuses kept. */
  statuses: readonly TriageStatus[];
  /** A username; null keeps the unassigned; undefined keeps every finding. */
  assignee?: string | null;
  classification?: Classification;
  tag?: string;
  /** A day (YYYY-MM-DD, UTC): findings resolved on it or later ("Resolved this week"). */
  resolvedFrom?: string;
}

/** `status=open`, the default queue: what still needs someone (a reopened finding is new again). */
export const OPEN_STATUSES: readonly TriageStatus[] = ["new", "investigating"];
const RESOLVED_ONLY: readonly TriageStatus[] = ["resolved"];
/** The `status` values beside each status. */
export const STATUS_FILTER = { open: "open", all: "all" } as const;
/** The `assignee` values beside a username: the signed-in account's findings, and nobody's. */
export const ASSIGNEE_FILTER = { mine: "mine", none: "none" } as const;

/** Keeps every finding, whatever its triage. */
export const ANY_TRIAGE: TriageFilter = { statuses: TRIAGE_STATUSES };

/**
 * Reads the filters leniently, as links get edited and shared: an unknown status keeps the open
 * queue (or, with a classification and no status, the resolved findings, as only they have one),
 * an unknown classification or a malformed tag filters nothing. `assignee=mine` means
 * `currentUsername` (nobody's findings when there is none, e.g. a script's token).
 */
export function readTriageFilter(single: (key: string) => string | undefined, currentUsername: string | null): TriageFilter {
  const status = single("status")?.toLowerCase();
  const classification = single("classification");
  const classified = (CLASSIFICATIONS as readonly string[]).includes(classification ?? "");
  // Only resolved findings have a classification: asking for one without a status means those.
  const statuses =
    status === STATUS_FILTER.all
      ? TRIAGE_STATUSES
      : (TRIAGE_STATUSES as readonly string[]).includes(status ?? "")
        ? [status as TriageStatus]
        : classified && status === undefined
          ? RESOLVED_ONLY
          : OPEN_STATUSES;
  const filter: TriageFilter = { statuses };
  const assignee = single("assignee")?.trim();
  if (assignee === ASSIGNEE_FILTER.mine) filter.assignee = currentUsername ?? "";
  else if (assignee === ASSIGNEE_FILTER.none) filter.assignee = null;
  else if (assignee) filter.assignee = assignee;
  if (classified) filter.classification = classification as Classification;
  const tag = tagSchema.safeParse(single("tag") ?? "");
  if (tag.success) filter.tag = tag.data;
  const resolvedFrom = z.iso.date().safeParse(single("resolvedFrom"));
  if (resolvedFrom.success) filter.resolvedFrom = resolvedFrom.data;
  return filter;
}
