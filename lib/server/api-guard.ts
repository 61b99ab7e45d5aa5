import "server-only";
import { crossSiteRefusal, isAllowedHost } from "../http/request-hygiene";
import { ApiError } from "./api-error";
import { env } from "./env";

/**
 * The checks every API route makes before anything else: a Host this server serves (DNS
 * rebinding), and no change requested by another site's page (CSRF).
 */
export function guardApiRequest(request: Request): void {
  const host = request.headers.get("host");
  if (!isAllowedHost(host, env.CW_ALLOWED_HOSTS)) {
    throw new ApiError(400, "host_not_allowed", "This server does not answer to that host name (set CW_ALLOWED_HOSTS to serve it).");
  }
  const refusal = crossSiteRefusal(
    { method: request.method, host, origin: request.headers.get("origin"), secFetchSite: request.headers.get("sec-fetch-site"), secFetchMode: request.headers.get("sec-fetch-mode") },
    env.CW_ALLOWED_HOSTS,
  );
  if (refusal !== null) throw new ApiError(403, "cross_site_request", refusal);
}
