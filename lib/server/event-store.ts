import "server-only";
import Database from "better-sqlite3";
import { databaseFilePath } from "../database-url";
import { eventKey } from "../telemetry/event-identity";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { env } from "./env";

/**
 * Bulk event writes go through better-sqlite3 directly: one prepared INSERT ... ON CONFLICT DO NOTHING inside one
 * transaction is all-or-nothing (a crash or kill mid-batch rolls back to nothing) and tens of
 * times faster than Prisma's createMany. Prisma keeps every other query.
 */
const EVENT_COLUMNS = [
  "id", "kind", "timestamp", "timeUs", "deviceId", "deviceName", "actionType", "fileName", "folderPath",
  "processId", "processCommandLine", "processCreationTime", "accountName", "sha256", "remoteIp", "remotePort", "remoteIpType",
  "remoteUrl", "localIp", "localPort", "protocol", "sentBytes", "receivedBytes", "initiatingProcessFileName",
  "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessCreationTime",
  "initiatingProcessAccountName", "initiatingProcessSHA256", "initiatingProcessParentFileName", "initiatingProcessParentId",
  "reportId", "processGuid", "initiatingProcessGuid", "loggedAt", "source",
] as const satisfies readonly (keyof TelemetryEvent)[];
const STORED_COLUMNS = ["datasetId", "eventKey", ...EVENT_COLUMNS.slice(1)] as const;
const IDENTITY = `"deviceName", "timeUs", "eventKey"`;

let connection: Database.Database | null = null;

function database(): Database.Database {
  if (!connection) {
    connection = new Database(databaseFilePath(env.DATABASE_URL));
    // WAL lets Prisma's connection read while a batch is being written.
    connection.pragma("journal_mode = WAL");
    connection.pragma("busy_timeout = 10000");
    // In WAL mode NORMAL still survives an application crash (only a power cut can lose the last
    // commits); with a 64 MiB page cache the identity index stays in memory during bulk loads.
    connection.pragma("synchronous = NORMAL");
    connection.pragma("cache_size = -65536");
    rekeyLegacyEvents(connection);
  }
  return connection;
}

/**
 * Events stored before migration 0002 carry text keys; SQL cannot compute the new hash, so the
 * first connection does it once (the migration leaves a marker only when there were events).
 */
function rekeyLegacyEvents(db: Database.Database): void {
  const marker = db.prepare(`SELECT "value" FROM "Setting" WHERE "key" = 'eventKeysPending'`).get();
  if (!marker) return;
  const legacy = db.prepare(`SELECT ${EVENT_COLUMNS.map((column) => `"${column}"`).join(", ")} FROM "TelemetryEvent" WHERE typeof("eventKey") = 'text'`);
  const setKey = db.prepare(`UPDATE "TelemetryEvent" SET "eventKey" = ? WHERE "id" = ?`);
  db.transaction(() => {
    for (const event of legacy.all() as TelemetryEvent[]) setKey.run(eventKey(event), event.id);
    db.prepare(`DELETE FROM "Setting" WHERE "key" = 'eventKeysPending'`).run();
  })();
}

/** Stores one batch of a dataset's events in one transaction; events already stored are skipped. */
export function insertDatasetEvents(datasetId: string, events: readonly TelemetryEvent[]): { inserted: number; duplicates: number } {
  const db = database();
  const insert = db.prepare(
    // ON CONFLICT on the identity only: OR IGNORE would also swallow NOT NULL violations.
    `INSERT INTO "TelemetryEvent" (${STORED_COLUMNS.map((column) => `"${column}"`).join(", ")}) VALUES (${STORED_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT (${IDENTITY}) DO NOTHING`,
  );
  const eventColumns = STORED_COLUMNS.slice(2) as readonly (keyof TelemetryEvent)[];
  const values: unknown[] = new Array(STORED_COLUMNS.length);
  // The dataset's count grows with each batch, so the Datasets page can follow a long upload.
  const countProgress = db.prepare(`UPDATE "Dataset" SET "accepted" = "accepted" + ? WHERE "id" = ?`);
  const insertAll = db.transaction((batch: readonly TelemetryEvent[]) => {
    let inserted = 0;
    for (const event of batch) {
      // One reused array per row: this loop runs a million times in a bulk load.
      values[0] = datasetId;
      values[1] = eventKey(event);
      for (let i = 0; i < eventColumns.length; i++) values[i + 2] = event[eventColumns[i]] ?? null;
      inserted += insert.run(values).changes;
    }
    countProgress.run(inserted, datasetId);
    return inserted;
  });
  const inserted = insertAll(events);
  return { inserted, duplicates: events.length - inserted };
}

/** Removes a dataset's events (an upload that failed or was cut off after some batches). */
export function deleteDatasetEvents(datasetId: string): number {
  return database().prepare(`DELETE FROM "TelemetryEvent" WHERE "datasetId" = ?`).run(datasetId).changes;
}

const COMPLETE_EVENTS = `FROM "TelemetryEvent" e JOIN "Dataset" d ON d."id" = e."datasetId" WHERE d."status" = 'complete'`;

/**
 * The events of complete datasets, one device at a time. Both detection modes only relate
 * events of the same device, so memory holds one device's events, not the whole store.
 */
export function* completeEventsByDevice(): Generator<TelemetryEvent[]> {
  const db = database();
  const devices = db.prepare(`SELECT DISTINCT "deviceName" FROM "TelemetryEvent"`).pluck().all() as string[];
  // One range of the identity index per device, in time order; rows arrive in the event model's shape.
  const eventsOf = db.prepare(
    `SELECT ${EVENT_COLUMNS.map((column) => `"${column}"`).join(", ")} FROM "TelemetryEvent"
     WHERE "deviceName" = ? AND "datasetId" IN (SELECT "id" FROM "Dataset" WHERE "status" = 'complete') ORDER BY "timeUs"`,
  );
  for (const device of devices) {
    const events = eventsOf.all(device) as TelemetryEvent[];
    if (events.length > 0) yield events;
  }
}

/** The newest event time of complete datasets, in epoch microseconds; null when there are none. */
export function newestCompleteEventUs(): number | null {
  const row = database().prepare(`SELECT max(e."timeUs") AS newest ${COMPLETE_EVENTS}`).get() as { newest: number | null };
  return row.newest;
}
