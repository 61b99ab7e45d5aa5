/**
 * Migration 0002 changes the event identity to an integer key that SQL cannot compute: events
 * stored before it must be re-keyed on first use, so re-uploading an old file still stores nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { buildTestEvent } from "../telemetry/build-test-event";
import { eventKey } from "../telemetry/event-identity";
import type { TelemetryEvent } from "../telemetry/telemetry-event";

const directory = mkdtempSync(path.join(tmpdir(), "cw-rekey-"));
const file = path.join(directory, "old.db");
process.env.DATABASE_URL = `file:${file}`;

const migration = (name: string) => readFileSync(path.join("prisma/migrations", name, "migration.sql"), "utf8");

afterAll(() => rmSync(directory, { recursive: true, force: true }));

it("re-keys events stored under the old text identity before anything new is written, once", async () => {
  const old = new Database(file);
  old.exec(migration("0001_init"));
  old.exec(`INSERT INTO "Dataset" ("id", "fileName", "format", "tables", "status") VALUES ('ds1', 'old.csv', 'csv', 'DeviceImageLoadEvents', 'complete')`);
  old.exec(`INSERT INTO "TelemetryEvent" ("datasetId", "eventKey", "kind", "timestamp", "timeUs", "deviceId", "deviceName", "actionType", "fileName", "initiatingProcessId", "source")
            VALUES ('ds1', 'sha1-text-key', 'image_load', '2024-01-01T10:00:00.0000000Z', 1704103200000000, 'd1', 'ws-01', 'ImageLoaded', 'bcrypt.dll', 100, 'mde')`);
  // Then every later migration, as `prisma migrate deploy` applies them.
  for (const name of readdirSync("prisma/migrations").filter((entry) => /^\d{4}_/.test(entry) && entry > "0002").sort()) old.exec(migration(name));
  expect(old.prepare(`SELECT "value" FROM "Setting" WHERE "key" = 'eventKeysPending'`).pluck().get()).toBe("text");
  old.exec(`INSERT INTO "Dataset" ("id", "fileName", "format", "tables", "status") VALUES ('ds2', 'old-again.csv', 'csv', '', 'running')`);
  old.close();

  // The first thing after the upgrade is a re-upload of the same event: it is recognised as stored.
  const { DatasetEventWriter } = await import("./event-batch-writer");
  const writer = new DatasetEventWriter("ds2");
  writer.write([buildTestEvent("image_load", { at: "2024-01-01T10:00:00Z", deviceId: "d1", deviceName: "ws-01", fileName: "bcrypt.dll", initiatingProcessId: 100 })]);
  expect(await writer.finish()).toBe(0);

  const { eventsByIds } = await import("./event-store");
  const events = eventsByIds([1]);
  expect(events.map((event) => [event.id, event.deviceName, event.fileName])).toEqual([[1, "ws-01", "bcrypt.dll"]]);
  // Migration 0006 moved the initiating process into ProcessContext: the event reads it back whole.
  expect(events.map((event) => [event.initiatingProcessId, event.initiatingProcessFileName, event.initiatingProcessCommandLine])).toEqual([[100, null, null]]);

  const after = new Database(file, { readonly: true });
  const stored = after.prepare(`SELECT typeof("eventKey") AS type, "eventKey" AS key FROM "TelemetryEvent"`).get() as { type: string; key: number };
  expect(stored).toEqual({ type: "integer", key: eventKey(events[0] as TelemetryEvent) });
  expect(after.prepare(`SELECT count(*) FROM "Setting" WHERE "key" = 'eventKeysPending'`).pluck().get()).toBe(0);
  after.close();
});
