import "server-only";
import { randomBytes } from "node:crypto";
import { apiKey } from "@better-auth/api-key";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { SESSION_COOKIE_PREFIX } from "../auth/session-cookie";
import { admin, username } from "better-auth/plugins";
import { prisma } from "./db";
import { env } from "./env";

const SECRET_KEY = "auth.secret";

/** A session lasts a working day from sign-in, used or not (the cookie's lifetime too). */
export const SESSION_SECONDS = 12 * 60 * 60;

export const MIN_PASSWORD_LENGTH = 12;

export const TOKEN_NAME_MAX_LENGTH = 64;

/** Where sign-in, sessions, passwords (scrypt) and token hashes come from: better-auth. */
function createAuth(secret: string) {
  return betterAuth({
    secret,
    database: prismaAdapter(prisma, { provider: "sqlite" }),
    // Accounts are created by an admin (lib/server/accounts), never by signing up.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: MIN_PASSWORD_LENGTH, maxPasswordLength: 256 },
    session: { expiresIn: SESSION_SECONDS, disableSessionRefresh: true },
    // Its HTTP handler is not mounted (routes call auth.api), so its per-path limiter never runs: see login-throttle.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    // Its one warning here is that no base URL is set: it builds no links or redirects for us.
    logger: { level: "error" },
    advanced: { cookiePrefix: SESSION_COOKIE_PREFIX, useSecureCookies: env.CW_SECURE_COOKIES },
    plugins: [
      username(),
      admin({ defaultRole: "viewer", adminRoles: ["admin"] }),
      // Every upload is worth accepting: no per-token request quota.
      apiKey({ defaultPrefix: "cw_", rateLimit: { enabled: false }, maximumNameLength: TOKEN_NAME_MAX_LENGTH }),
    ],
  });
}

type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { cipherwatchAuth?: Promise<Auth> };

/**
 * The auth instance, built once per process. Its signing secret is CW_AUTH_SECRET, or else one
 * generated on first use and kept in the database, so sessions survive restarts without setup.
 */
export function getAuth(): Promise<Auth> {
  globalForAuth.cipherwatchAuth ??= authSecret().then(createAuth);
  return globalForAuth.cipherwatchAuth;
}

async function authSecret(): Promise<string> {
  if (env.CW_AUTH_SECRET) return env.CW_AUTH_SECRET;
  // Insert-or-keep: two processes starting together agree on the first one written.
  await prisma.$executeRaw`INSERT OR IGNORE INTO Setting (key, value) VALUES (${SECRET_KEY}, ${randomBytes(32).toString("base64url")})`;
  return (await prisma.setting.findUniqueOrThrow({ where: { key: SECRET_KEY } })).value;
}
