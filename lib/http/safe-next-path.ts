/**
 * Where the login page sends a user after signing in: the page first asked for, when it is a
 * path on this site. Anything else (another origin, `//evil.example`, a backslash trick, a
 * `javascript:` URL) goes to the findings instead: an open redirect would lend this site's name
 * to a phishing link. Pure.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.includes("\\") || /[\u0000-\u001f]/.test(next)) return "/";
  const url = new URL(next, "http://cipherwatch.invalid");
  if (url.origin !== "http://cipherwatch.invalid" || url.pathname.startsWith("/login")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
