/**
 * Who may do what: the role matrix every route handler checks on the server. Pure.
 *
 * | permission | viewer | analyst | admin | ingest token |
 * | read       | yes    | yes     | yes   | no           |
 * | upload     | no     | yes     | yes   | yes          |
 * | edit       | no     | yes     | yes   | no           |  (the allowlists and triage; later suppressions)
 * | administer | no     | no      | yes   | no           |  (settings, as-of, dataset deletes, accounts, tokens, audit)
 */

export const ROLES = ["viewer", "analyst", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ["read", "upload", "edit", "administer"] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ["read"],
  analyst: ["read", "upload", "edit"],
  admin: ["read", "upload", "edit", "administer"],
};

/** A token only uploads (POST /api/ingest, GET /api/uploads/<id>): it cannot read stored telemetry. */
const TOKEN_GRANTS: readonly Permission[] = ["upload"];

/** Who made a request: a signed-in account, or an ingest token (by its name). */
export type Actor = { kind: "user"; id: string; username: string; role: Role } | { kind: "token"; id: string; name: string };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function actorCan(actor: Actor, permission: Permission): boolean {
  return (actor.kind === "token" ? TOKEN_GRANTS : ROLE_GRANTS[actor.role]).includes(permission);
}

/** What a page asks of its signed-in account: may it show this permission's controls. */
export function accountCan(account: { role: Role }, permission: Permission): boolean {
  return ROLE_GRANTS[account.role].includes(permission);
}

/** How the audit log and a dataset's uploader name an actor. */
export function actorLabel(actor: Actor): string {
  return actor.kind === "token" ? `token:${actor.name}` : actor.username;
}
