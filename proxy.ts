import { NextResponse, type NextRequest } from "next/server";
import { hasSessionCookie } from "@/lib/auth/session-cookie";
import { contentSecurityPolicy, isAllowedHost, parseAllowedHosts } from "@/lib/http/request-hygiene";

const ALLOWED_HOSTS = parseAllowedHosts(process.env.CW_ALLOWED_HOSTS);

/**
 * Pages only (see the matcher): a Host the server does not serve is refused (DNS rebinding), and
 * each page gets a fresh CSP nonce, passed to the layout in the request headers, and its path,
 * for the sign-in redirect. A visitor without a session cookie is sent to sign in at once (a
 * plain 307); each page still checks the session itself (lib/server/page-session). API routes check
 * their requests themselves (lib/server/api-guard): a proxy in front of them would buffer upload
 * bodies (Next's proxyClientMaxBodySize), which are streamed.
 */
export function proxy(request: NextRequest) {
  if (!isAllowedHost(request.headers.get("host"), ALLOWED_HOSTS)) {
    return new NextResponse("This server does not answer to that host name (set CW_ALLOWED_HOSTS to serve it).", { status: 400, headers: { "content-type": "text/plain" } });
  }
  const path = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  if (request.nextUrl.pathname !== "/login" && !hasSessionCookie(request.cookies.getAll().map((cookie) => cookie.name))) {
    return NextResponse.redirect(new URL(`/login?next=${encodeURIComponent(path)}`, request.url), 307);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  // The page's own address, for the redirect back after signing in (lib/server/page-session).
  requestHeaders.set("x-cw-path", path);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};
