/**
 * Integration: accounts, sessions and ingest tokens through better-auth on a real SQLite file.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const directory = mkdtempSync(path.join(tmpdir(), "cw-accounts-"));
process.env.DATABASE_URL = `file:${path.join(directory, "test.db")}`;

let accounts: typeof import("./accounts");
let sessions: typeof import("./sessions");
let db: typeof import("./db");

beforeAll(async () => {
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: process.env, stdio: "pipe" });
  accounts = await import("./accounts");
  sessions = await import("./sessions");
  db = await import("./db");
}, 60_000);

afterAll(async () => {
  await db?.prisma.$disconnect();
  rmSync(directory, { recursive: true, force: true });
});

const cookieHeader = (setCookies: string[]) => new Headers({ cookie: setCookies.map((cookie) => cookie.split(";")[0]).join("; ") });

describe("accounts and sessions", () => {
  it("signs in by username, case-insensitively, with an httpOnly SameSite cookie; stores no plain password", async () => {
    await accounts.createAccount({ username: "Kim.Lee", role: "analyst", password: "correct horse battery" });
    const stored = await db.prisma.account.findFirstOrThrow({ where: { user: { username: "kim.lee" } } });
    expect(stored.password).not.toContain("correct horse");

    const signedIn = await sessions.signIn("KIM.LEE", "correct horse battery", new Headers());
    expect(signedIn?.account).toMatchObject({ username: "kim.lee", role: "analyst", disabled: false });
    const sessionCookie = signedIn!.setCookies.find((cookie) => cookie.startsWith("cipherwatch.session_token="))!;
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    expect(sessionCookie).toMatch(/; Max-Age=43200/);
    expect((await sessions.sessionAccount(cookieHeader(signedIn!.setCookies)))?.username).toBe("kim.lee");
  });

  it("refuses a wrong password, an unknown user and a malformed name alike", async () => {
    expect(await sessions.signIn("kim.lee", "wrong horse battery", new Headers())).toBeNull();
    expect(await sessions.signIn("nobody", "correct horse battery", new Headers())).toBeNull();
    expect(await sessions.signIn("x", "correct horse battery", new Headers())).toBeNull();
  });

  it("ends every session of a disabled account and refuses its sign-in until enabled", async () => {
    await accounts.createAccount({ username: "viewer1", role: "viewer", password: "viewer password 1" });
    const before = await sessions.signIn("viewer1", "viewer password 1", new Headers());
    await accounts.changeAccount("viewer1", { disabled: true });
    expect(await sessions.sessionAccount(cookieHeader(before!.setCookies))).toBeNull();
    expect(await sessions.signIn("viewer1", "viewer password 1", new Headers())).toBeNull();
    await accounts.changeAccount("viewer1", { disabled: false });
    expect((await sessions.signIn("viewer1", "viewer password 1", new Headers()))?.account.role).toBe("viewer");
  });

  it("resets a password: the old one and old sessions stop working", async () => {
    const before = await sessions.signIn("viewer1", "viewer password 1", new Headers());
    await accounts.changeAccount("viewer1", { password: "viewer password 2" });
    expect(await sessions.sessionAccount(cookieHeader(before!.setCookies))).toBeNull();
    expect(await sessions.signIn("viewer1", "viewer password 1", new Headers())).toBeNull();
    expect(await sessions.signIn("viewer1", "viewer password 2", new Headers())).not.toBeNull();
  });

  it("signs out: the cookie's session is gone", async () => {
    const signedIn = await sessions.signIn("viewer1", "viewer password 2", new Headers());
    const cleared = await sessions.signOut(cookieHeader(signedIn!.setCookies));
    expect(cleared.find((cookie) => cookie.startsWith("cipherwatch.session_token="))).toMatch(/Max-Age=0/);
    expect(await sessions.sessionAccount(cookieHeader(signedIn!.setCookies))).toBeNull();
  });

  it("refuses duplicates, short passwords and leaving no enabled admin", async () => {
    await expect(accounts.createAccount({ username: "KIM.LEE", role: "viewer", password: "another password" })).rejects.toMatchObject({ status: 409, code: "account_exists" });
    await expect(accounts.createAccount({ username: "short", role: "viewer", password: "elevenchars" })).rejects.toThrow("at least 12 characters");
    await accounts.createAccount({ username: "root", role: "admin", password: "admin password 1" });
    expect(await sessions.signIn("root", "admin password 1", new Headers())).not.toBeNull();
    await expect(accounts.changeAccount("root", { disabled: true })).rejects.toMatchObject({ status: 409, code: "last_admin" });
    // All or nothing: the password in the same change is not set either.
    await expect(accounts.changeAccount("root", { role: "analyst", password: "root password 2" })).rejects.toMatchObject({ status: 409, code: "last_admin" });
    expect(await sessions.signIn("root", "root password 2", new Headers())).toBeNull();
    await accounts.changeAccount("kim.lee", { role: "admin" });
    expect((await accounts.changeAccount("root", { disabled: true })).disabled).toBe(true);
    expect((await accounts.listAccounts()).map((account) => `${account.username}:${account.role}:${account.disabled}`)).toEqual([
      "kim.lee:admin:false",
      "root:admin:true",
      "viewer1:viewer:false",
    ]);
  });
});

describe("ingest tokens", () => {
  it("stores only a hash, verifies the token, and answers null once revoked", async () => {
    const { token, secret } = await accounts.createToken("edr-export", "kim.lee");
    expect(secret).toMatch(/^cw_[A-Za-z0-9]{20,}$/);
    expect(token).toMatchObject({ name: "edr-export", createdBy: "kim.lee", lastUsedAt: null });
    const stored = await db.prisma.apikey.findUniqueOrThrow({ where: { name: "edr-export" } });
    expect(stored.key).not.toBe(secret);
    expect(stored.key).not.toContain(secret.slice(3));

    expect(await accounts.verifyToken(secret)).toEqual({ id: token.id, name: "edr-export" });
    expect(await accounts.verifyToken(`${secret}x`)).toBeNull();
    await expect(accounts.createToken("edr-export", "kim.lee")).rejects.toMatchObject({ status: 409, code: "token_exists" });
    expect((await accounts.listTokens()).map((listed) => listed.name)).toEqual(["edr-export"]);
    // Up to 64 characters, beyond better-auth's default of 32.
    expect((await accounts.createToken("x".repeat(64), "kim.lee")).token.name).toBe("x".repeat(64));
    await accounts.revokeToken("x".repeat(64));

    await accounts.revokeToken("edr-export");
    expect(await accounts.verifyToken(secret)).toBeNull();
    await expect(accounts.revokeToken("edr-export")).rejects.toMatchObject({ status: 404 });
  });
});
