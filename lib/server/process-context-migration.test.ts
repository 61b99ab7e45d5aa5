/**
 * Migration 0006 moves each event's initiating process into ProcessContext. Stored events must
 * read back exactly as before, and events of one process must share one context row, nulls included.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";

const directory = mkdtempSync(path.join(tmpdir(), "cw-context-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const migrations = readdirSync("prisma/migrations").filter((entry) => /^\d{4}_/.test(entry)).sort();
const apply = (db: Database.Database, names: string[]) => {
  for (const name of names) db.exec(readFileSync(path.join("prisma/migrations", name, "migration.sql"), "utf8"));
};

it("moves initiating processes into shared context rows and keeps every event whole", () => {
  const db = new Database(path.join(directory, "upgrade.db"));
  apply(db, migrations.filter((name) => name < "0006"));
  db.exec(`INSERT INTO "Dataset" ("id", "fileName", "format", "tables", "status") VALUES ('ds1', 'a.csv', 'csv', '', 'complete')`);
  const insert = db.prepare(`INSERT INTO "TelemetryEvent" ("datasetId", "eventKey", "kind", "timestamp", "timeUs", "deviceName", "actionType", "fileName",
    "initiatingProcessFileName", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessSHA256") VALUES ('ds1', ?, 'image_load', ?, ?, 'ws-01', 'ImageLoaded', ?, ?, ?, ?, ?)`);
  // Two events of one process (its hash unknown: a NULL that must match NULL), one of another.
  insert.run(1, "2024-01-01T10:00:00.0000000Z", 1704103200000000, "bcrypt.dll", "evil.exe", 100, "evil.exe -k", null);
  insert.run(2, "2024-01-01T10:00:01.0000000Z", 1704103201000000, "ncrypt.dll", "evil.exe", 100, "evil.exe -k", null);
  insert.run(3, "2024-01-01T10:00:02.0000000Z", 1704103202000000, "bcrypt.dll", "tool.exe", 200, null, "ab12");

  apply(db, migrations.filter((name) => name >= "0006"));
  expect(db.prepare(`SELECT count(*) FROM "ProcessContext"`).pluck().get()).toBe(2);
  const rows = db
    .prepare(
      `SELECT e."eventKey", e."fileName", c."initiatingProcessFileName", c."initiatingProcessId", c."initiatingProcessCommandLine", c."initiatingProcessSHA256", e."contextId"
       FROM "TelemetryEvent" e JOIN "ProcessContext" c ON c."id" = e."contextId" ORDER BY e."id"`,
    )
    .raw()
    .all() as unknown[][];
  expect(rows.map((row) => row.slice(0, 6))).toEqual([
    [1, "bcrypt.dll", "evil.exe", 100, "evil.exe -k", null],
    [2, "ncrypt.dll", "evil.exe", 100, "evil.exe -k", null],
    [3, "bcrypt.dll", "tool.exe", 200, null, "ab12"],
  ]);
  expect(rows[0][6]).toBe(rows[1][6]);
  expect(rows[2][6]).not.toBe(rows[0][6]);
  // The identity index survives the rebuild: the same event again is refused.
  expect(() => db.prepare(`INSERT INTO "TelemetryEvent" ("datasetId", "eventKey", "contextId", "kind", "timestamp", "timeUs", "deviceName", "actionType")
    VALUES ('ds1', 1, 1, 'image_load', 'x', 1704103200000000, 'ws-01', 'ImageLoaded')`).run()).toThrow(/UNIQUE constraint failed/);
  db.close();
});
