/**
 * Findings list views a user keeps: a name and the list's URL query. A few are built in. Pure.
 */
import { z } from "zod";

export interface ListView {
  name: string;
  /** The list's URL query, without "?" or a page number. */
  query: string;
}

export const MAX_SAVED_VIEWS = 50;

/** A query as a view keeps it: the filters and sort, not the page it was on. */
export function viewQuery(query: string): string {
  const params = new URLSearchParams(query.replace(/^\?/, ""));
  params.delete("page");
  return params.toString();
}

export const savedViewSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "Name the view." }).max(60, { error: "A view's name has at most 60 characters." }),
  query: z.string().max(2000, { error: "A view's query has at most 2,000 characters." }).transform(viewQuery),
});

/** The Monday (UTC) of the week `now` is in: weeks start on Monday, as ISO 8601 has them. */
export function weekStart(now: Date): string {
  const daysSinceMonday = (now.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysSinceMonday)).toISOString().slice(0, 10);
}

/** The views every user has. */
export function builtInViews(now: Date): ListView[] {
  return [
    { name: "My open", query: "assignee=mine" },
    { name: "New critical and high", query: "status=new&severityRank=2-3" },
    { name: "Resolved this week", query: `status=resolved&severityRank=all&resolvedFrom=${weekStart(now)}` },
  ];
}
