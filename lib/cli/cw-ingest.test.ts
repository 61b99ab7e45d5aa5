/**
 * `cw ingest FILE...` reports each path on its own line: a folder or a missing file is skipped
 * with a reason (no dataset opened) and the files after it are still stored.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";

const directory = mkdtempSync(path.join(tmpdir(), "cw-cli-"));
const env = { ...process.env, DATABASE_URL: `file:${path.join(directory, "cli.db")}` };
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it("skips a folder and a missing file with a reason, stores the rest, and exits 1", () => {
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env, stdio: "pipe" });
  const folder = path.join(directory, "__MACOSX");
  mkdirSync(folder);
  const good = path.join(directory, "loads.csv");
  writeFileSync(good, "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId\n2024-01-01T10:00:00Z,ws-01,ImageLoaded,bcrypt.dll,100\n");
  const other = path.join(directory, "more-loads.csv");
  writeFileSync(other, "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId\n2024-01-01T11:00:00Z,ws-02,ImageLoaded,ncrypt.dll,200\n");
  const missing = path.join(directory, "nope.csv");
  const run = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/cli/cw.ts", "ingest", folder, missing, good, other], { env, encoding: "utf8" });
  expect(run.stderr).toContain(`${folder}: not a file (a folder? pass the files in it); skipped.`);
  expect(run.stderr).toContain(`${missing}: no such file; skipped.`);
  expect(run.stdout).toContain(`${good}: DeviceImageLoadEvents (csv), 1 stored, 0 rejected, 0 already stored, 0 ignored`);
  // Detection runs once, after both files.
  expect(run.stdout.match(/^detection: .*$/gm)).toEqual(["detection: 0 finding(s), 0 seed-query row(s)"]);
  expect(run.status).toBe(1);
  const db = new Database(path.join(directory, "cli.db"), { readonly: true });
  expect(db.prepare(`SELECT "fileName" FROM "Dataset" ORDER BY "fileName"`).pluck().all()).toEqual(["loads.csv", "more-loads.csv"]);
  db.close();
}, 30_000);
