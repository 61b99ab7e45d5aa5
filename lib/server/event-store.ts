import "server-only";
import type Database from "better-sqlite3";
import { eventKey } from "../telemetry/event-identity";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { sqliteConnection } from "./sqlite-connection";

/**
 * Events are stored (one prepared INSERT ... ON CONFLICT DO NOTHING per event, one transaction
 * per batch, see event-batch-writer) and read for detection through better-sqlite3 directly.
 */
const EVENT_COLUMNS = [
  "id", "kind", "timestamp", "timeUs", "deviceId", "deviceName", "actionType", "fileName", "folderPath",
  "processId", "processCommandLine", "processCreationTime", "accountName", "sha256", "remoteIp", "remotePort", "remoteIpType",
  "remoteUrl", "localIp", "localPort", "protocol", "sentBytes", "receivedBytes", "initiatingProcessFileName",
  "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessCreationTime",
  "initiatingProcessAccountName", "initiatingProcessSHA256", "initiatingProcessParentFileName", "initiatingProcessParentId",
  "reportId", "processGuid", "initiatingProcessGuid", "loggedAt", "source",
] as const satisfies readonly (keyof TelemetryEvent)[];
const IDENTITY = `"deviceName", "timeUs", "eventKey"`;

let legacyKeysChecked = false;

function database(): Database.Database {
  const connection = sqliteConnection();
  if (!legacyKeysChecked) {
    rekeyLegacyEvents(connection);
    legacyKeysChecked = true;
  }
  return connection;
}

/** Opens the store, finishing any pending data migration: call before writing from another connection. */
export function prepareEventStore(): void {
  database();
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

/** Columns of a stored row after the dataset id, in the order `encodeEventRows` writes them. */
const ROW_COLUMNS = ["eventKey", ...EVENT_COLUMNS.slice(1)] as const;

/**
 * The statements a batch writer runs: one INSERT per event with the dataset bound by name, and
 * the dataset's running count (it grows with each batch, so the Datasets page can follow a long
 * upload). ON CONFLICT on the identity only: OR IGNORE would also swallow NOT NULL violations.
 */
export const EVENT_BATCH_SQL = {
  insert: `INSERT INTO "TelemetryEvent" ("datasetId", ${ROW_COLUMNS.map((column) => `"${column}"`).join(", ")})
           VALUES (@datasetId, ${ROW_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT (${IDENTITY}) DO NOTHING`,
  countProgress: `UPDATE "Dataset" SET "accepted" = "accepted" + @inserted WHERE "id" = @datasetId`,
} as const;

/** A batch as the writer thread takes it: JSON rows of `ROW_COLUMNS` (cheaper to pass between threads than objects). */
export function encodeEventRows(events: readonly TelemetryEvent[]): string {
  const eventColumns = ROW_COLUMNS.slice(1) as readonly (keyof TelemetryEvent)[];
  const rows = new Array<unknown[]>(events.length);
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    const row = new Array<unknown>(ROW_COLUMNS.length);
    row[0] = eventKey(event);
    for (let column = 0; column < eventColumns.length; column++) row[column + 1] = event[eventColumns[column]] ?? null;
    rows[index] = row;
  }
  return JSON.stringify(rows);
}

/** Removes a dataset's events (an upload that failed or was cut off after some batches). */
export function deleteDatasetEvents(datasetId: string): number {
  return database().prepare(`DELETE FROM "TelemetryEvent" WHERE "datasetId" = ?`).run(datasetId).changes;
}

const COMPLETE_EVENTS = `FROM "TelemetryEvent" e JOIN "Dataset" d ON d."id" = e."datasetId" WHERE d."status" = 'complete'`;

/** One device's events for detection, or how many it has when they would not fit in memory. */
export type DeviceEvents = { deviceName: string; events: TelemetryEvent[] } | { deviceName: string; skippedEvents: number };

/**
 * The events of complete datasets, one device at a time. Both detection modes only relate
 * events of the same device, so memory holds one device's events, not the whole store. A device
 * with more than `maxEvents` stored (counted on the identity index, before anything is read) is
 * not read at all.
 */
export function* completeEventsByDevice(maxEvents = Number.POSITIVE_INFINITY): Generator<DeviceEvents> {
  const db = database();
  const devices = db.prepare(`SELECT DISTINCT "deviceName" FROM "TelemetryEvent"`).pluck().all() as string[];
  const countOf = db.prepare(`SELECT count(*) FROM "TelemetryEvent" WHERE "deviceName" = ?`).pluck();
  // One range of the identity index per device, in time order. Rows come as arrays: better-sqlite3
  // builds those nearly three times faster than objects, and the objects are built here instead.
  const eventsOf = db
    .prepare(
      `SELECT ${EVENT_COLUMNS.map((column) => `"${column}"`).join(", ")} FROM "TelemetryEvent"
       WHERE "deviceName" = ? AND "datasetId" IN (SELECT "id" FROM "Dataset" WHERE "status" = 'complete') ORDER BY "timeUs"`,
    )
    .raw(true);
  for (const deviceName of devices) {
    const stored = countOf.get(deviceName) as number;
    if (stored > maxEvents) {
      yield { deviceName, skippedEvents: stored };
      continue;
    }
    // Row by row, so a busy device's raw rows (several times the size of the events) are never all held at once.
    const events = eventsFromRows(eventsOf.iterate(deviceName) as IterableIterator<unknown[]>);
    if (events.length > 0) yield { deviceName, events };
  }
}

/**
 * One fixed-shape object literal per row: properties added one by one in a loop leave V8 with
 * dictionary objects, several times larger. Generated from EVENT_COLUMNS so it cannot drift.
 */
const eventFromRow = new Function("row", `return { ${EVENT_COLUMNS.map((column, index) => `${column}: row[${index}]`).join(", ")} };`) as (row: unknown[]) => TelemetryEvent;

/** Columns whose text repeats across a device's events (names, paths, command lines, hashes). */
const SHARED_TEXT_COLUMNS = EVENT_COLUMNS.flatMap((column, index) => (column === "timestamp" || column === "loggedAt" ? [] : [index]));

/**
 * A device's events as objects. SQLite hands out a new string per row, so a process's command
 * line would be held once per event; sharing equal strings keeps a busy device's events small.
 */
function eventsFromRows(rows: Iterable<unknown[]>): TelemetryEvent[] {
  const shared = new Map<string, string>();
  const events: TelemetryEvent[] = [];
  for (const row of rows) {
    for (const column of SHARED_TEXT_COLUMNS) {
      const value = row[column];
      if (typeof value !== "string") continue;
      const known = shared.get(value);
      if (known === undefined) shared.set(value, value);
      else row[column] = known;
    }
    events.push(eventFromRow(row));
  }
  return events;
}

/** The newest event time of complete datasets, in epoch microseconds; null when there are none. */
export function newestCompleteEventUs(): number | null {
  const row = database().prepare(`SELECT max(e."timeUs") AS newest ${COMPLETE_EVENTS}`).get() as { newest: number | null };
  return row.newest;
}
