import path from "node:path";

/** Everything an e2e run writes lives here and is wiped at its start. */
export const E2E_DIR = path.resolve("data/e2e");
export const DEMO_DIR = path.join(E2E_DIR, "demo");
export const E2E_DATABASE_URL = `file:${path.join(E2E_DIR, "cipherwatch-e2e.db")}`;

/** One account per role, created before the server starts (prepare-e2e). */
export const E2E_ACCOUNTS = {
  admin: { username: "admin", password: "admin password e2e" },
  analyst: { username: "analyst", password: "analyst password e2e" },
  viewer: { username: "viewer", password: "viewer password e2e" },
} as const;
export type E2eRole = keyof typeof E2E_ACCOUNTS;

/** A role's signed-in browser state (cookies), written by auth.setup.ts. */
export const storageStateOf = (role: E2eRole) => path.join(E2E_DIR, `${role}-session.json`);
