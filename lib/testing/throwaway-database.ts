import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

/**
 * Gives an integration test file a migrated SQLite database of its own, in a fresh temporary
 * folder removed after its tests. Call it at the top of the file: the modules under test read
 * DATABASE_URL when first loaded, so the file imports them dynamically in a later beforeAll.
 * Answers the database file's path.
 */
export function useThrowawayDatabase(prefix: string): string {
  const directory = mkdtempSync(path.join(tmpdir(), `cw-${prefix}-`));
  const file = path.join(directory, "test.db");
  process.env.DATABASE_URL = `file:${file}`;
  beforeAll(() => {
    execFileSync("npx", ["prisma", "migrate", "deploy"], { env: process.env, stdio: "pipe" });
  }, 60_000);
  afterAll(async () => {
    const { prisma } = await import("../server/db");
    await prisma.$disconnect();
    rmSync(directory, { recursive: true, force: true });
  });
  return file;
}
