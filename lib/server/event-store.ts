import "server-only";
import type Database from "better-sqlite3";
import { DETECTION_BYTES_PER_EVENT, distinctTextBytes } from "../detection/device-event-budget";
import { eventKey, identityHash } from "../telemetry/event-identity";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { sqliteConnection } from "./sqlite-connection";

/**
 * Events are stored (prepared INSERT ... ON CONFLICT DO NOTHING statements of ten events, one
 * transaction per batch, see event-batch-writer) and read for detection through better-sqlite3 directly.
 * A row holds the event; what its initiating process was is one ProcessContext row per process.
 */

/** An event row's own columns, in the order batches carry them (after the event key and context id). */
const ROW_COLUMNS = [
  "kind", "timestamp", "timeUs", "deviceId", "deviceName", "actionType", "fileName", "folderPath", "processId", "processCommandLine",
  "processCreationTime", "accountName", "sha256", "remoteIp", "remotePort", "remoteIpType", "remoteUrl", "localIp", "localPort", "protocol",
  "sentBytes", "receivedBytes", "reportId", "processGuid", "loggedAt", "source",
] as const satisfies readonly (keyof TelemetryEvent)[];
const NUMERIC_ROW_COLUMNS: ReadonlySet<string> = new Set(["timeUs", "processId", "remotePort", "localPort", "sentBytes", "receivedBytes"]);

/** The initiating process's columns, shared by its events (their hash is the context id). */
const CONTEXT_COLUMNS = [
  "initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessCreationTime",
  "initiatingProcessAccountName", "initiatingProcessSHA256", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessGuid",
] as const satisfies readonly (keyof TelemetryEvent)[];

/** What reading an event returns, in order: every field of TelemetryEvent (checked below). */
const EVENT_COLUMNS = ["id", ...ROW_COLUMNS, ...CONTEXT_COLUMNS] as const;
type UnreadField = Exclude<keyof TelemetryEvent, (typeof EVENT_COLUMNS)[number]>;
const everyFieldRead: [UnreadField] extends [never] ? true : UnreadField = true;
void everyFieldRead;

const IDENTITY = `"deviceName", "timeUs", "eventKey"`;
/** `"a", "b"`, or `t."a", t."b"` with a table alias. */
const quoted = (columns: readonly string[], table?: string) => columns.map((column) => `${table ? `${table}.` : ""}"${column}"`).join(", ");
/** EVENT_COLUMNS of an event `e` and its context `c`, and where they come from. */
const EVENT_SELECT_LIST = `${quoted(["id", ...ROW_COLUMNS], "e")}, ${quoted(CONTEXT_COLUMNS, "c")}`;
const EVENTS_WITH_CONTEXT = `FROM "TelemetryEvent" e JOIN "ProcessContext" c ON c."id" = e."contextId"`;
/** Events with their context; callers add WHERE and ORDER BY on `e`. */
const SELECT_EVENTS = `SELECT ${EVENT_SELECT_LIST} ${EVENTS_WITH_CONTEXT}`;

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
  const legacy = db.prepare(`${SELECT_EVENTS} WHERE typeof(e."eventKey") = 'text'`).raw();
  const setKey = db.prepare(`UPDATE "TelemetryEvent" SET "eventKey" = ? WHERE "id" = ?`);
  db.transaction(() => {
    // No budget: this one-off read is not bounded by detection's heap.
    for (const event of eventsFromRows(legacy.all() as unknown[][]) ?? []) setKey.run(eventKey(event), event.id);
    db.prepare(`DELETE FROM "Setting" WHERE "key" = 'eventKeysPending'`).run();
  }).immediate();
}

/**
 * Events per multi-row INSERT: one statement per ten rows costs about 15% less than one per row
 * (measured), more rows per statement cost more again.
 */
const EVENTS_PER_INSERT = 10;

function insertEventsSql(events: number): string {
  const values = `(?, ?, ?, ${ROW_COLUMNS.map(() => "?").join(", ")})`;
  return `INSERT INTO "TelemetryEvent" ("datasetId", "eventKey", "contextId", ${quoted(ROW_COLUMNS)})
          VALUES ${Array.from({ length: events }, () => values).join(", ")} ON CONFLICT (${IDENTITY}) DO NOTHING`;
}

const IDENTITY_MATCH = `"deviceName" = @deviceName AND "timeUs" = @timeUs AND "eventKey" = @eventKey`;

/**
 * The statements a batch writer runs: each new process context, then the events, ten to an
 * INSERT and the rest one by one (each row the dataset id, then a batch row's cells), a share
 * for each event that was already stored (only where an INSERT stored fewer rows than it had),
 * and the dataset's running count (it grows with each batch, so the Datasets page can follow a long
 * upload). ON CONFLICT on the identity only: OR IGNORE would also swallow NOT NULL violations.
 */
export const EVENT_BATCH_SQL = {
  insertContext: `INSERT INTO "ProcessContext" ("id", ${quoted(CONTEXT_COLUMNS)})
                  VALUES (${["id", ...CONTEXT_COLUMNS].map(() => "?").join(", ")}) ON CONFLICT ("id") DO NOTHING`,
  insert: insertEventsSql(1),
  insertMany: insertEventsSql(EVENTS_PER_INSERT),
  eventsPerInsert: EVENTS_PER_INSERT,
  // An event this dataset holds too but another one stored first (see EventShare).
  shareExisting: `INSERT OR IGNORE INTO "EventShare" ("eventId", "datasetId")
                  SELECT "id", @datasetId FROM "TelemetryEvent" WHERE ${IDENTITY_MATCH} AND "datasetId" <> @datasetId`,
  countProgress: `UPDATE "Dataset" SET "accepted" = "accepted" + @inserted WHERE "id" = @datasetId`,
} as const;

/**
 * A batch as the writer thread takes it. Cells are numbers in one transferable array, a row of
 * BATCH_CELLS_PER_EVENT per event (event key, context id, then ROW_COLUMNS): numbers as they
 * are (NaN for null), text as its index in `texts` (-1 for null). Moving the array costs nothing
 * and cloning the texts is a copy, where JSON cost both threads a pass over every character.
 * Contexts not yet sent by this upload travel beside it as rows of (id, CONTEXT_COLUMNS).
 */
export interface EventBatch {
  contexts: (string | number | null)[][];
  texts: string[];
  cells: Float64Array<ArrayBuffer>;
}

const BATCH_CELLS_PER_EVENT = 2 + ROW_COLUMNS.length;
/** Which cells of a row hold text indexes (the rest hold numbers). */
export const BATCH_TEXT_CELLS: readonly boolean[] = [false, false, ...ROW_COLUMNS.map((column) => !NUMERIC_ROW_COLUMNS.has(column))];
/** Where a row's identity is among its cells, for the writer's share statement. */
export const BATCH_IDENTITY_CELLS = { eventKey: 0, deviceName: 2 + ROW_COLUMNS.indexOf("deviceName"), timeUs: 2 + ROW_COLUMNS.indexOf("timeUs") } as const;

type FieldValue = string | number | null;
/**
 * Copy an event's context or row fields into a reused array. Generated with named property reads
 * (`event.kind`), which V8 makes fast for events of one shape, where a loop over column names
 * would look each one up by key: this runs for every field of every uploaded row.
 */
const fieldReader = (columns: readonly (keyof TelemetryEvent)[]) =>
  new Function("event", "values", columns.map((column, index) => `values[${index}] = event.${column} ?? null;`).join("\n")) as (event: TelemetryEvent, values: FieldValue[]) => void;
const readContext = fieldReader(CONTEXT_COLUMNS);
const readRow = fieldReader(ROW_COLUMNS);
const contextValues = new Array<FieldValue>(CONTEXT_COLUMNS.length);
const rowValues = new Array<FieldValue>(ROW_COLUMNS.length);

/** Encodes a batch; `sentContexts` holds the context ids this upload already sent (updated here). */
export function encodeEventBatch(events: readonly TelemetryEvent[], sentContexts: Set<number>): EventBatch {
  const cells = new Float64Array(events.length * BATCH_CELLS_PER_EVENT);
  const texts: string[] = [];
  const contexts: EventBatch["contexts"] = [];
  let cell = 0;
  for (const event of events) {
    readContext(event, contextValues);
    const contextId = identityHash(contextValues);
    if (!sentContexts.has(contextId)) {
      sentContexts.add(contextId);
      contexts.push([contextId, ...contextValues]);
    }
    cells[cell++] = eventKey(event);
    cells[cell++] = contextId;
    readRow(event, rowValues);
    for (let column = 0; column < ROW_COLUMNS.length; column++) {
      const value = rowValues[column];
      if (typeof value === "number") cells[cell++] = value;
      else if (typeof value === "string") {
        cells[cell++] = texts.length;
        texts.push(value);
      } else cells[cell++] = BATCH_TEXT_CELLS[column + 2] ? -1 : Number.NaN;
    }
  }
  return { contexts, texts, cells };
}

/** What releasing a dataset's events did: events removed, and events kept because another dataset holds them. */
export interface ReleasedEvents {
  removed: number;
  kept: number;
}

/** Another dataset's share of the event `e` (its new owner when this one goes): a complete one first. */
const OTHER_HOLDER = `SELECT s."datasetId" FROM "EventShare" s JOIN "Dataset" d ON d."id" = s."datasetId"
                      WHERE s."eventId" = e."id" AND s."datasetId" <> @datasetId ORDER BY d."status" = 'complete' DESC, s."datasetId" LIMIT 1`;

/**
 * Lets go of a dataset's events (a delete, an upload that failed or was cut off): the events no
 * other dataset holds are removed; those another dataset shares are handed to it, so its
 * findings keep their evidence. Then the dataset is removed or marked failed, in the same
 * transaction: a crash leaves all of it or none. Scans the events table, as the dataset is not
 * indexed (see the schema).
 */
export function releaseDatasetEvents(datasetId: string, dataset: "remove" | "mark-failed"): ReleasedEvents {
  const db = database();
  // IMMEDIATE: it reads before it writes, and a deferred transaction cannot wait for a writer
  // (an upload's batch) to finish: upgrading its read fails at once with "database is locked".
  return db.transaction((): ReleasedEvents => {
    db.prepare(`CREATE TEMP TABLE "HandedOver" ("eventId" INTEGER PRIMARY KEY, "owner" TEXT NOT NULL)`).run();
    try {
      const kept = db
        .prepare(`INSERT INTO temp."HandedOver" SELECT "id", "owner" FROM (SELECT e."id", (${OTHER_HOLDER}) AS "owner" FROM "TelemetryEvent" e WHERE e."datasetId" = @datasetId) WHERE "owner" IS NOT NULL`)
        .run({ datasetId }).changes;
      db.prepare(`UPDATE "TelemetryEvent" SET "datasetId" = (SELECT "owner" FROM temp."HandedOver" h WHERE h."eventId" = "TelemetryEvent"."id") WHERE "id" IN (SELECT "eventId" FROM temp."HandedOver")`).run();
      db.prepare(`DELETE FROM "EventShare" WHERE ("eventId", "datasetId") IN (SELECT "eventId", "owner" FROM temp."HandedOver")`).run();
      db.prepare(`DELETE FROM "EventShare" WHERE "datasetId" = ?`).run(datasetId);
      const removed = db.prepare(`DELETE FROM "TelemetryEvent" WHERE "datasetId" = ?`).run(datasetId).changes;
      if (dataset === "remove") db.prepare(`DELETE FROM "Dataset" WHERE "id" = ?`).run(datasetId);
      else db.prepare(`UPDATE "Dataset" SET "status" = 'failed' WHERE "id" = ?`).run(datasetId);
      return { removed, kept };
    } finally {
      db.prepare(`DROP TABLE temp."HandedOver"`).run();
    }
  }).immediate();
}

/** What deleting a dataset would do, without doing it (the confirmation's numbers). */
export function datasetEventImpact(datasetId: string): ReleasedEvents {
  const db = database();
  const owned = db.prepare(`SELECT count(*) AS "all", count((${OTHER_HOLDER})) AS "kept" FROM "TelemetryEvent" e WHERE e."datasetId" = @datasetId`).get({ datasetId }) as { all: number; kept: number };
  return { removed: owned.all - owned.kept, kept: owned.kept };
}

/**
 * Events a complete dataset holds, as the owner or a share (`e` the event): only these feed
 * detection. The share lookup runs per event only when its owner is not complete.
 */
const HELD_BY_COMPLETE_DATASET = `(e."datasetId" IN (SELECT "id" FROM "Dataset" WHERE "status" = 'complete')
  OR EXISTS (SELECT 1 FROM "EventShare" s JOIN "Dataset" d ON d."id" = s."datasetId" WHERE s."eventId" = e."id" AND d."status" = 'complete'))`;

/** One device's events for detection, or how many it has when they would not fit in memory. */
export type DeviceEvents = { deviceName: string; events: TelemetryEvent[] } | { deviceName: string; skippedEvents: number };

/**
 * What detection reads of a device, chosen in SQLite so that JavaScript never builds the rest:
 * process creations (lineage, the openssl rule), successful connections, and loads of the crypto
 * libraries. Both modes ignore every other event. Names compare as detection compares them
 * (lower-cased); SQLite's lower() folds ASCII only, so a file name with any other character is
 * passed on for detection's own, exact check. The names are bound, never spliced.
 */
export interface DetectionSelection {
  cryptoLibraries: readonly string[];
}

function selectionClause({ cryptoLibraries }: DetectionSelection): { clause: string; params: string[] } {
  const names = [...new Set(cryptoLibraries.map((name) => name.toLowerCase()))];
  const libraries = names.length === 0 ? "NULL" : names.map(() => "?").join(", ");
  return {
    clause: `(e."kind" = 'process' OR (e."kind" = 'network' AND e."actionType" = 'ConnectionSuccess')
      OR (e."kind" = 'image_load' AND (lower(e."fileName") IN (${libraries}) OR e."fileName" GLOB '*[^ -~]*')))`,
    params: names,
  };
}

/**
 * The events of complete datasets that detection reads (see DetectionSelection; all of them
 * without one), one device at a time. Both detection modes only relate events of the same device,
 * so memory holds one device's events, not the whole store. A device with more than `maxEvents`
 * to read (counted before anything is read: on the identity index alone when its whole count
 * fits) is not read at all, and one whose distinct texts make it cost more than that many events
 * is given up while it is read.
 */
export function* completeEventsByDevice(
  maxEvents = Number.POSITIVE_INFINITY,
  onProgress?: (devicesDone: number, devicesTotal: number) => void,
  selection?: DetectionSelection,
): Generator<DeviceEvents> {
  const db = database();
  const { clause, params } = selection ? selectionClause(selection) : { clause: "1", params: [] };
  const devices = db.prepare(`SELECT DISTINCT "deviceName" FROM "TelemetryEvent"`).pluck().all() as string[];
  const storedCount = db.prepare(`SELECT count(*) FROM "TelemetryEvent" WHERE "deviceName" = ?`).pluck();
  const selectedCount = db.prepare(`SELECT count(*) FROM "TelemetryEvent" e WHERE e."deviceName" = ? AND ${clause}`).pluck();
  // One range of the identity index per device, in time order. Rows come as arrays: better-sqlite3
  // builds those nearly three times faster than objects, and the objects are built here instead.
  const eventsOf = db
    .prepare(`${SELECT_EVENTS} WHERE e."deviceName" = ? AND ${clause} AND ${HELD_BY_COMPLETE_DATASET} ORDER BY e."timeUs"`)
    .raw(true);
  for (const [done, deviceName] of devices.entries()) {
    onProgress?.(done, devices.length);
    const stored = storedCount.get(deviceName) as number;
    const toRead = stored <= maxEvents ? stored : (selectedCount.get(deviceName, ...params) as number);
    if (toRead > maxEvents) {
      yield { deviceName, skippedEvents: toRead };
      continue;
    }
    // Row by row, so a busy device's raw rows (several times the size of the events) are never all
    // held at once; a device whose distinct texts would not fit is given up as soon as that is clear.
    const events = eventsFromRows(eventsOf.iterate(deviceName, ...params) as IterableIterator<unknown[]>, maxEvents * DETECTION_BYTES_PER_EVENT);
    if (events === null) yield { deviceName, skippedEvents: toRead };
    else if (events.length > 0) yield { deviceName, events };
  }
  onProgress?.(devices.length, devices.length);
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
 * Null when they would cost more heap than `budgetBytes` (see device-event-budget).
 */
function eventsFromRows(rows: Iterable<unknown[]>, budgetBytes = Number.POSITIVE_INFINITY): TelemetryEvent[] | null {
  const shared = new Map<string, string>();
  const events: TelemetryEvent[] = [];
  let cost = 0;
  for (const row of rows) {
    cost += DETECTION_BYTES_PER_EVENT;
    for (const column of SHARED_TEXT_COLUMNS) {
      const value = row[column];
      if (typeof value !== "string") continue;
      const known = shared.get(value);
      if (known === undefined) {
        shared.set(value, value);
        cost += distinctTextBytes(value.length);
      } else row[column] = known;
    }
    if (cost > budgetBytes) return null;
    events.push(eventFromRow(row));
  }
  return events;
}

/** The newest event time of complete datasets, in epoch microseconds; null when there are none. */
export function newestCompleteEventUs(): number | null {
  const row = database().prepare(`SELECT max(e."timeUs") AS newest FROM "TelemetryEvent" e WHERE ${HELD_BY_COMPLETE_DATASET}`).get() as { newest: number | null };
  return row.newest;
}

/** Stored events by id with the file each came in, in time order (the events behind a finding's reason). */
export function eventsByIds(ids: readonly number[]): (TelemetryEvent & { datasetId: string; datasetFileName: string | null })[] {
  if (ids.length === 0) return [];
  const rows = database()
    .prepare(
      `SELECT ${EVENT_SELECT_LIST}, e."datasetId", d."fileName" ${EVENTS_WITH_CONTEXT} LEFT JOIN "Dataset" d ON d."id" = e."datasetId"
       WHERE e."id" IN (${ids.map(() => "?").join(", ")}) ORDER BY e."timeUs"`,
    )
    .raw()
    .all(...ids) as unknown[][];
  return rows.map((row) => ({ ...eventFromRow(row), datasetId: row[EVENT_COLUMNS.length] as string, datasetFileName: row[EVENT_COLUMNS.length + 1] as string | null }));
}
