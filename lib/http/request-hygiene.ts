/**
 * Which requests the server answers at all, decided from their headers alone: a Host it serves
 * (DNS rebinding points another name at a server bound to localhost), and for state-changing
 * requests no sign of a cross-site origin (a page the analyst visits posting to the API).
 * Pure: the caller passes the headers and the configured host names.
 */

/** Names every server answers to; CW_ALLOWED_HOSTS adds the names a team reaches it by. */
export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

const STATE_CHANGING_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The host name of a Host header, lower-cased, without its port; null when it is not one. */
export function hostName(hostHeader: string | null): string | null {
  if (!hostHeader) return null;
  try {
    const url = new URL(`http://${hostHeader}`);
    // A Host header is a name and a port, nothing else.
    if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) return null;
    return url.hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function isAllowedHost(hostHeader: string | null, allowedHosts: readonly string[]): boolean {
  const name = hostName(hostHeader);
  return name !== null && [...LOOPBACK_HOSTS, ...allowedHosts].some((allowed) => allowed.toLowerCase() === name);
}

/**
 * Why a request must be refused as cross-site, or null. A state-changing request whose Origin
 * is another site, or that the browser says came from another site (Sec-Fetch-Site), is refused;
 * one with neither header is a script, and must then authenticate with a token
 * (cookieChangeRefusal). The Origin must be the request's own host and
 * port, or a name in `teamHosts` (CW_ALLOWED_HOSTS), since a reverse proxy may rewrite Host.
 * A read that another site's page makes (an <img> or fetch, which still has side effects: a
 * clean-up, a detection run) is refused too; following a link from elsewhere is not.
 */
export function crossSiteRefusal(
  request: { method: string; host: string | null; origin: string | null; secFetchSite: string | null; secFetchMode?: string | null },
  teamHosts: readonly string[] = [],
): string | null {
  const fromElsewhere = request.secFetchSite !== null && request.secFetchSite !== "same-origin" && request.secFetchSite !== "none";
  if (!STATE_CHANGING_METHODS.has(request.method.toUpperCase())) {
    return fromElsewhere && request.secFetchMode !== "navigate" ? `A request another site's page made (Sec-Fetch-Site: ${request.secFetchSite}) is refused.` : null;
  }
  if (fromElsewhere) {
    return `A ${request.method} from another site (Sec-Fetch-Site: ${request.secFetchSite}) is refused.`;
  }
  if (request.origin !== null) {
    let origin: URL | null = null;
    try {
      origin = new URL(request.origin);
    } catch {
      // "null" (a sandboxed frame, a file) or garbage: not this site.
    }
    const sameHost = origin !== null && origin.host.toLowerCase() === request.host?.toLowerCase();
    const teamHost = origin !== null && teamHosts.some((name) => name.toLowerCase() === origin.hostname.toLowerCase());
    if (!sameHost && !teamHost) return `A ${request.method} from another origin is refused.`;
  }
  return null;
}

/**
 * A change made with the session cookie must show it comes from this site's own pages: an Origin
 * (which crossSiteRefusal has already matched against the host) or Sec-Fetch-Site: same-origin.
 * A cookie is sent by the browser whatever page asks; these headers are not, and cannot be forged
 * by a page. Scripts authenticate with a token instead.
 */
export function cookieChangeRefusal(request: { method: string; origin: string | null; secFetchSite: string | null }): string | null {
  if (!STATE_CHANGING_METHODS.has(request.method.toUpperCase())) return null;
  if (request.origin !== null || request.secFetchSite === "same-origin") return null;
  return `A ${request.method} signed in by cookie must carry an Origin header or Sec-Fetch-Site: same-origin (browsers send them; scripts use a token).`;
}

/** JSON endpoints read only `application/json` bodies (with parameters such as charset). */
export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && contentType.split(";")[0].trim().toLowerCase() === "application/json";
}

/** CW_ALLOWED_HOSTS: comma-separated host names (no ports). */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
}

/**
 * The Content-Security-Policy of a page: a script runs only if it carries this response's nonce
 * (Next puts it on its own scripts; the theme script carries it too) or a script that does loaded
 * it ('strict-dynamic'; 'self' only serves browsers without it); no plugins, no <base> elsewhere,
 * no framing. Inline style attributes stay allowed: charts and React set them, and they cannot
 * run code. `next dev` needs eval for its error overlay; production never does.
 */
export function contentSecurityPolicy(nonce: string, development = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
