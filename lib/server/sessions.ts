import "server-only";
import { isRole } from "../auth/roles";
import type { AccountView } from "./accounts";
import { getAuth } from "./auth";

/**
 * Signs in with username and password: the session cookie to set and the account, or null for
 * any refusal (wrong password, unknown or disabled account, malformed username), which callers
 * must answer alike. better-auth hashes a dummy password for an unknown username, so timing
 * does not tell either.
 */
export async function signIn(username: string, password: string, requestHeaders: Headers): Promise<{ setCookies: string[]; account: AccountView } | null> {
  const auth = await getAuth();
  let response: Response;
  try {
    response = await auth.api.signInUsername({ body: { username, password }, headers: requestHeaders, asResponse: true });
  } catch {
    return null;
  }
  if (!response.ok) return null;
  const setCookies = response.headers.getSetCookie();
  const account = await sessionAccount(new Headers({ cookie: setCookies.map((cookie) => cookie.split(";")[0]).join("; ") }));
  return account ? { setCookies, account } : null;
}

/** Ends the cookie's session: the Set-Cookie headers that clear it. */
export async function signOut(requestHeaders: Headers): Promise<string[]> {
  const auth = await getAuth();
  const response = await auth.api.signOut({ headers: requestHeaders, asResponse: true });
  return response.headers.getSetCookie();
}

/** The signed-in account a request's session cookie names, or null (none, expired, disabled). */
export async function sessionAccount(requestHeaders: Headers): Promise<AccountView | null> {
  if (!requestHeaders.get("cookie")) return null;
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session || session.user.banned || !session.user.username) return null;
  const { user } = session;
  return { id: user.id, username: user.username!, role: isRole(user.role) ? user.role : "viewer", disabled: false, createdAt: user.createdAt.toISOString() };
}
