import { AUDIT_ACTIONS, type AuditAction } from "../auth/audit-actions";
import { datetimeLocalAsUtc } from "./datetime-local";

/** The audit page's filters as its GET form puts them in the URL, and as the form shows them back. */
export type AuditFilterValues = { actor: string; action: string; from: string; to: string };

/** The same filters as the audit API takes them: times as ISO instants in UTC. */
export type AuditApiFilters = { actor?: string; action?: AuditAction; from?: string; to?: string };

type SearchParams = Record<string, string | string[] | undefined>;

function firstValue(value: string | string[] | undefined): string {
  return (typeof value === "string" ? value : value?.[0]) ?? "";
}

export function readAuditFilterValues(params: SearchParams): { values: AuditFilterValues; page: string } {
  return {
    values: { actor: firstValue(params.actor).trim(), action: firstValue(params.action), from: firstValue(params.from), to: firstValue(params.to) },
    page: firstValue(params.page),
  };
}

/**
 * The form's filters for the audit API, `from` and `to` read as UTC (the page shows every time in
 * UTC), and the 1-based page; or, for a hand-edited URL, what is wrong with them. Empty fields
 * filter nothing. Pure.
 */
export function auditApiFilters(values: AuditFilterValues, page: string): { ok: true; filters: AuditApiFilters; page: number } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const filters: AuditApiFilters = {};
  if (values.actor) filters.actor = values.actor;
  if (values.action) {
    if ((AUDIT_ACTIONS as readonly string[]).includes(values.action)) filters.action = values.action as AuditAction;
    else problems.push("Action is not one the audit log records: choose one from the list.");
  }
  for (const bound of ["from", "to"] as const) {
    if (!values[bound]) continue;
    const instant = datetimeLocalAsUtc(values[bound]);
    if (instant) filters[bound] = instant;
    else problems.push(`${bound === "from" ? "From" : "To"} is not a date and time (YYYY-MM-DDTHH:MM, UTC).`);
  }
  if (filters.from && filters.to && filters.from >= filters.to) problems.push("From must be before To.");
  const pageNumber = page === "" ? 1 : Number(page);
  if (!Number.isSafeInteger(pageNumber) || pageNumber < 1) problems.push("The page is a whole number from 1.");
  return problems.length > 0 ? { ok: false, problems } : { ok: true, filters, page: pageNumber };
}

/** A query string of the non-empty values, for the pager's and the export's links. */
export function filterSearch(values: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== "") search.set(key, String(value));
  return search.toString();
}
