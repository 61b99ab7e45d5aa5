/**
 * A real crash: the CLI is SIGKILLed in the middle of an upload, after at least one batch was
 * committed. The next process to look must find no events from it and the dataset failed.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";

const directory = mkdtempSync(path.join(tmpdir(), "cw-kill-"));
const databaseFile = path.join(directory, "kill.db");
const env = { ...process.env, DATABASE_URL: `file:${databaseFile}` };
const CLI = ["--conditions=react-server", "--import", "tsx", "lib/cli/cw.ts"];

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

it("leaves nothing of an upload killed midway, and reports it failed", async () => {
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env, stdio: "pipe" });
  // 300,000 rows: seconds of work, so the kill lands long before the end.
  const rows = ["Timestamp,DeviceId,DeviceName,ActionType,FileName,InitiatingProcessId"];
  for (let i = 0; i < 300_000; i++) rows.push(`2024-06-01T00:${String(Math.floor(i / 6000) % 60).padStart(2, "0")}:00.${String(i).padStart(6, "0")}Z,d1,ws-1,ImageLoaded,m${i}.dll,${i % 5000}`);
  const file = path.join(directory, "big.csv");
  writeFileSync(file, rows.join("\n"));

  const child = spawn(process.execPath, [...CLI, "ingest", file], { env, stdio: "ignore" });
  const db = new Database(databaseFile, { readonly: true });
  const progress = db.prepare(`SELECT "status", "accepted" FROM "Dataset" WHERE "fileName" = 'big.csv'`);
  let seen: { status: string; accepted: number } | undefined;
  for (let waited = 0; waited < 60_000; waited += 20) {
    seen = progress.get() as typeof seen;
    if (seen && seen.accepted > 0) break;
    await sleep(20);
  }
  expect(seen?.status).toBe("running");
  expect(seen!.accepted).toBeGreaterThanOrEqual(5000);
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  const stored = (db.prepare(`SELECT count(*) AS n FROM "TelemetryEvent"`).get() as { n: number }).n;
  expect(stored).toBeGreaterThan(0); // committed batches are still on disk right after the kill
  db.close();

  // The next process (a restarted server, here the CLI) cleans up.
  const listed = JSON.parse(execFileSync(process.execPath, [...CLI, "datasets", "--json"], { env, encoding: "utf8" }));
  expect(listed.map((d: { fileName: string; status: string }) => [d.fileName, d.status])).toEqual([["big.csv", "failed"]]);
  const after = new Database(databaseFile, { readonly: true });
  expect((after.prepare(`SELECT count(*) AS n FROM "TelemetryEvent"`).get() as { n: number }).n).toBe(0);
  after.close();
}, 120_000);
