import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { AccountView } from "./accounts";
import { sessionAccount } from "./sessions";

/** The header proxy.ts puts the page's path and query in, so a page can send its visitor back to it. */
export const PAGE_PATH_HEADER = "x-cw-path";

/** The signed-in account of the page being rendered, or null; looked up once per render (layout and page share it). */
export const currentAccount = cache(async (): Promise<AccountView | null> => sessionAccount(await headers()));

/**
 * The first call of every page: the signed-in account, or a redirect to /login that returns here
 * after signing in. Checked in each page, not the layout: a layout is not re-rendered on every
 * navigation, a page is.
 */
export async function requirePageAccount(): Promise<AccountView> {
  const account = await currentAccount();
  if (!account) redirect(`/login?next=${encodeURIComponent((await headers()).get(PAGE_PATH_HEADER) ?? "/")}`);
  return account;
}
