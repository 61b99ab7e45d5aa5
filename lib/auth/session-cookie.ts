/** better-auth names its session cookie `<prefix>.session_token` (with `__Secure-` in front over HTTPS). */
export const SESSION_COOKIE_PREFIX = "cipherwatch";

const SESSION_COOKIE_NAMES = [`${SESSION_COOKIE_PREFIX}.session_token`, `__Secure-${SESSION_COOKIE_PREFIX}.session_token`];

/** Whether a request carries a session cookie at all: a cheap first check; only the session store says if it is valid. */
export function hasSessionCookie(cookieNames: Iterable<string>): boolean {
  return [...cookieNames].some((name) => SESSION_COOKIE_NAMES.includes(name));
}
