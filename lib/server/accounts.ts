import "server-only";
import { z } from "zod";
import { isRole, ROLES, type Role } from "../auth/roles";
import { ApiError } from "./api-error";
import { getAuth, MIN_PASSWORD_LENGTH, TOKEN_NAME_MAX_LENGTH } from "./auth";
import { prisma } from "./db";

/** Usernames as better-auth's username plugin accepts them, stored lower-cased. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.]{3,30}$/, "A username is 3 to 30 letters, digits, dots or underscores.");
export const passwordSchema = z.string().min(MIN_PASSWORD_LENGTH, `A password has at least ${MIN_PASSWORD_LENGTH} characters.`).max(256, "A password has at most 256 characters.");
export const roleSchema = z.enum(ROLES);
export const tokenNameSchema = z
  .string()
  .trim()
  .regex(new RegExp(`^[A-Za-z0-9_.-]{1,${TOKEN_NAME_MAX_LENGTH}}$`), `A token name is 1 to ${TOKEN_NAME_MAX_LENGTH} letters, digits, dots, dashes or underscores.`);

/** better-auth keys accounts by e-mail; ours have none, so each gets a name that can never be delivered (RFC 2606). */
const placeholderEmail = (username: string) => `${username}@users.cipherwatch.invalid`;

export type AccountView = { id: string; username: string; role: Role; disabled: boolean; createdAt: string };
export type TokenView = { id: string; name: string; createdBy: string; createdAt: string; lastUsedAt: string | null };

type UserRow = { id: string; username: string | null; role: string | null; banned: boolean | null; createdAt: Date };

function toAccountView(user: UserRow): AccountView {
  return { id: user.id, username: user.username ?? "", role: isRole(user.role) ? user.role : "viewer", disabled: user.banned === true, createdAt: user.createdAt.toISOString() };
}

export async function countAccounts(): Promise<number> {
  return prisma.user.count();
}

export async function listAccounts(): Promise<AccountView[]> {
  return (await prisma.user.findMany({ orderBy: { username: "asc" } })).map(toAccountView);
}

async function findAccount(username: string): Promise<UserRow & { username: string }> {
  const user = await prisma.user.findUnique({ where: { username: usernameSchema.parse(username) } });
  if (!user?.username) throw new ApiError(404, "account_not_found", `No account is named ${username}.`);
  return { ...user, username: user.username };
}

/** A name taken meanwhile (two requests at once) is the same 409 as one taken before. */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /unique constraint/i.test(error.message);
}

export async function createAccount(input: { username: string; role: Role; password: string }): Promise<AccountView> {
  const username = usernameSchema.parse(input.username);
  const password = passwordSchema.parse(input.password);
  const taken = new ApiError(409, "account_exists", `An account named ${username} already exists.`);
  if (await prisma.user.findUnique({ where: { username } })) throw taken;
  const auth = await getAuth();
  // Server-side call without a session: better-auth trusts it, so only this module calls it, after the caller's role was checked.
  // Its types know only its default roles; ours are configured by name.
  await auth.api.createUser({ body: { email: placeholderEmail(username), password, name: username, role: input.role as "admin", data: { username } } }).catch((error: unknown) => {
    throw isUniqueViolation(error) ? taken : error;
  });
  return toAccountView(await findAccount(username));
}

export type AccountChange = { role?: Role; disabled?: boolean; password?: string };

/**
 * Applies any of a new role, disabled or enabled, a new password, all or nothing, in one
 * transaction: a change that would leave no enabled admin is refused (409) before anything is
 * written, and two admins demoting each other at once cannot both succeed. Disabling and a new
 * password end the account's sessions at once.
 */
export async function changeAccount(username: string, change: AccountChange): Promise<AccountView> {
  const user = await findAccount(username);
  const hash = change.password === undefined ? undefined : await (await (await getAuth()).$context).password.hash(passwordSchema.parse(change.password));
  const losesAdmin = user.role === "admin" && !user.banned && ((change.role !== undefined && change.role !== "admin") || change.disabled === true);
  await prisma.$transaction(async (tx) => {
    if (losesAdmin && (await tx.user.count({ where: { role: "admin", OR: [{ banned: false }, { banned: null }] } })) <= 1) {
      throw new ApiError(409, "last_admin", `${user.username} is the only enabled admin: this change would leave nobody able to manage accounts.`);
    }
    const disabled = change.disabled === undefined ? {} : { banned: change.disabled, banReason: change.disabled ? "disabled by an admin" : null };
    await tx.user.update({ where: { id: user.id }, data: { ...(change.role === undefined ? {} : { role: change.role }), ...disabled } });
    if (hash !== undefined) await tx.account.updateMany({ where: { userId: user.id, providerId: "credential" }, data: { password: hash } });
    if (hash !== undefined || change.disabled === true) await tx.session.deleteMany({ where: { userId: user.id } });
  });
  return toAccountView(await findAccount(username));
}

function toTokenView(key: { id: string; name: string | null; referenceId: string; createdAt: Date; lastRequest: Date | null }): TokenView {
  return { id: key.id, name: key.name ?? "", createdBy: key.referenceId, createdAt: key.createdAt.toISOString(), lastUsedAt: key.lastRequest?.toISOString() ?? null };
}

export async function listTokens(): Promise<TokenView[]> {
  return (await prisma.apikey.findMany({ orderBy: { name: "asc" } })).map(toTokenView);
}

/**
 * A new ingest token. better-auth generates it and stores only its SHA-256; the token itself is
 * returned here once and never again. `createdBy` (a username, or cli:<OS user>) is kept as the
 * key's reference.
 */
export async function createToken(name: string, createdBy: string): Promise<{ token: TokenView; secret: string }> {
  const tokenName = tokenNameSchema.parse(name);
  if (await prisma.apikey.findUnique({ where: { name: tokenName } })) throw new ApiError(409, "token_exists", `A token named ${tokenName} already exists.`);
  const auth = await getAuth();
  const created = await auth.api.createApiKey({ body: { userId: createdBy, name: tokenName } }).catch((error: unknown) => {
    throw isUniqueViolation(error) ? new ApiError(409, "token_exists", `A token named ${tokenName} already exists.`) : error;
  });
  const stored = await prisma.apikey.findUniqueOrThrow({ where: { id: created.id } });
  return { token: toTokenView(stored), secret: created.key };
}

/** A revoked token is deleted: it answers 401 from then on. */
export async function revokeToken(name: string): Promise<TokenView> {
  const stored = await prisma.apikey.findUnique({ where: { name: tokenNameSchema.parse(name) } });
  const { count } = await prisma.apikey.deleteMany({ where: { id: stored?.id ?? "" } });
  if (!stored || count === 0) throw new ApiError(404, "token_not_found", `No token is named ${name}.`);
  return toTokenView(stored);
}

/** The token a Bearer header carries, or null when it is unknown or revoked. */
export async function verifyToken(secret: string): Promise<{ id: string; name: string } | null> {
  const auth = await getAuth();
  const result = await auth.api.verifyApiKey({ body: { key: secret } });
  if (!result.valid || !result.key) return null;
  return { id: result.key.id, name: result.key.name ?? result.key.id };
}
