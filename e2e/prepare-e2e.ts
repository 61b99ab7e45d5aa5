/**
 * Runs before the e2e server starts: a fresh, empty, migrated SQLite file, one account per role
 * (created with the CLI, as an operator would), and the demo exports the tests upload through
 * the page.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { demoFiles } from "../lib/demo/demo-files";
import { DEMO_DIR, E2E_ACCOUNTS, E2E_DATABASE_URL, E2E_DIR } from "./e2e-paths";

rmSync(E2E_DIR, { recursive: true, force: true });
mkdirSync(DEMO_DIR, { recursive: true });
const env = { ...process.env, DATABASE_URL: E2E_DATABASE_URL };
execFileSync("npx", ["prisma", "migrate", "deploy"], { env, stdio: "inherit" });
for (const [role, { username, password }] of Object.entries(E2E_ACCOUNTS)) {
  execFileSync("npm", ["run", "-s", "cw", "--", "user", "create", "--username", username, "--role", role, "--password-stdin"], { env, input: `${password}\n`, stdio: ["pipe", "inherit", "inherit"] });
}
for (const file of demoFiles()) writeFileSync(path.join(DEMO_DIR, file.name), file.text);
