import path from "node:path";

/** Everything an e2e run writes lives here and is wiped at its start. */
export const E2E_DIR = path.resolve("data/e2e");
export const DEMO_DIR = path.join(E2E_DIR, "demo");
export const E2E_DATABASE_URL = `file:${path.join(E2E_DIR, "cipherwatch-e2e.db")}`;
