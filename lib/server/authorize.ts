import "server-only";
import { cookieChangeRefusal } from "../http/request-hygiene";
import { actorCan, type Actor, type Permission } from "../auth/roles";
import { verifyToken } from "./accounts";
import { guardApiRequest } from "./api-guard";
import { ApiError } from "./api-error";
import type { Caller } from "./audit-log";
import { requestAddress } from "./client-address-stamp";
import { sessionAccount } from "./sessions";

const PERMISSION_WORDS: Record<Permission, string> = {
  read: "read stored data",
  upload: "upload telemetry",
  edit: "change the allowlists or triage findings",
  administer: "change settings, delete datasets or manage accounts",
};

/**
 * The first call of every API route but sign-in: the request's host and origin are checked, then
 * who sent it (an ingest token as `Authorization: Bearer`, else the session cookie), then that
 * their role allows `permission`. Anonymous: 401; wrong role, or a token outside the ingest
 * endpoints: 403. A change authenticated by cookie must prove it comes from this site's pages.
 */
export async function authorize(request: Request, permission: Permission): Promise<Caller> {
  guardApiRequest(request);
  const address = requestAddress(request);
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  let actor: Actor;
  if (bearer) {
    const token = await verifyToken(bearer[1]);
    if (!token) throw new ApiError(401, "invalid_token", "The token is not valid (unknown or revoked).");
    actor = { kind: "token", id: token.id, name: token.name };
  } else {
    const account = await sessionAccount(request.headers);
    if (!account) throw new ApiError(401, "sign_in_required", "Sign in first: POST /api/session, or send an ingest token as Authorization: Bearer.");
    const refusal = cookieChangeRefusal({ method: request.method, origin: request.headers.get("origin"), secFetchSite: request.headers.get("sec-fetch-site") });
    if (refusal) throw new ApiError(403, "cross_site_request", refusal);
    actor = { kind: "user", id: account.id, username: account.username, role: account.role };
  }
  if (!actorCan(actor, permission)) {
    const who = actor.kind === "token" ? "An ingest token" : `The ${actor.role} role`;
    throw new ApiError(403, "forbidden", `${who} cannot ${PERMISSION_WORDS[permission]}.`);
  }
  return { actor, address };
}
