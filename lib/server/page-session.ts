import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { AccountView } from "./accounts";
import { sessionAccount } from "./sessions";

/** The header proxy.ts puts the page's path and query in, so a page can send its visitor back to it. */
export const PAGE_PATH_HEADER = "x-cw-path";

/**
 * The first call of every page: the signed-in account, or a redirect to /login that returns here
 * after signing in. Checked in each page, not the layout: a layout is not re-rendered on every
 * navigation, a page is.
 */
export async function requirePageAccount(): Promise<AccountView> {
  const requestHeaders = await headers();
  const account = await sessionAccount(requestHeaders);
  if (!account) redirect(`/login?next=${encodeURIComponent(requestHeaders.get(PAGE_PATH_HEADER) ?? "/findings")}`);
  return account;
}
