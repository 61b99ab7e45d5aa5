import "server-only";
import type Database from "better-sqlite3";
import { DETECTION_EVENT_FIELDS, type DetectionEvent } from "../detection/detection-event";
import type { DetectionSelection } from "../detection/detection-selection";
import { DETECTION_BYTES_PER_EVENT, distinctTextBytes } from "../detection/device-event-budget";
import { binaryPrevalenceKeys, destinationPrevalenceKey, OUTBOUND_CONNECTION_ACTIONS, type PrevalenceKind } from "../detection/fleet-prevalence";
import { eventKey, RepeatedIdentityHashes } from "../telemetry/event-identity";
import type { TelemetryEvent, TelemetryKind } from "../telemetry/telemetry-event";
import { recordDetectionChange } from "./detection-settings";
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
  "sentBytes", "receivedBytes", "reportId", "processGuid", "loggedAt", "clockCorrectedFrom", "source",
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
    for (const event of eventsFromRows(legacy.all() as unknown[][])) setKey.run(eventKey(event), event.id);
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
  insertPrevalence: `INSERT OR IGNORE INTO "DatasetPrevalence" ("datasetId", "deviceName", "kind", "key") VALUES (?, ?, ?, ?)`,
} as const;

/**
 * A batch as the writer thread takes it. Cells are numbers in one transferable array, a row of
 * BATCH_CELLS_PER_EVENT per event (event key, context id, then ROW_COLUMNS): numbers as they
 * are (NaN for null), text as its index in `texts` (-1 for null). Moving the array costs nothing
 * and cloning the texts is a copy, where JSON cost both threads a pass over every character.
 * Contexts not yet sent by this upload travel beside it as rows of (id, CONTEXT_COLUMNS), and
 * the batch's fleet prevalence rows (device, kind, key) once each.
 */
export interface EventBatch {
  contexts: (string | number | null)[][];
  texts: string[];
  cells: Float64Array<ArrayBuffer>;
  prevalence: [deviceName: string, kind: PrevalenceKind, key: string][];
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

const CALLING_ACTIONS = new Set(OUTBOUND_CONNECTION_ACTIONS);

/** A process's context is keyed by its PID and creation time while a batch is encoded (see RepeatedIdentityHashes). */
const CONTEXT_KEY_FIELDS = [CONTEXT_COLUMNS.indexOf("initiatingProcessId"), CONTEXT_COLUMNS.indexOf("initiatingProcessCreationTime")];

/** Encodes a batch; `sentContexts` holds the context ids this upload already sent (updated here). */
export function encodeEventBatch(events: readonly TelemetryEvent[], sentContexts: Set<number>): EventBatch {
  const contextIds = new RepeatedIdentityHashes(CONTEXT_KEY_FIELDS);
  const cells = new Float64Array(events.length * BATCH_CELLS_PER_EVENT);
  const texts: string[] = [];
  const contexts: EventBatch["contexts"] = [];
  const prevalence = new Map<string, EventBatch["prevalence"][number]>();
  const seenOnDevice = (deviceName: string, kind: PrevalenceKind, key: string) => {
    const row = `${deviceName}\u0000${kind}\u0000${key}`;
    if (!prevalence.has(row)) prevalence.set(row, [deviceName, kind, key]);
  };
  // The initiating process's binary is the same for every event of a context: keyed once per device and context.
  const contextsOnDevice = new Map<string, Set<number>>();
  let cell = 0;
  for (const event of events) {
    readContext(event, contextValues);
    const contextId = contextIds.hash(contextValues);
    if (!sentContexts.has(contextId)) {
      sentContexts.add(contextId);
      contexts.push([contextId, ...contextValues]);
    }
    let deviceContexts = contextsOnDevice.get(event.deviceName);
    if (deviceContexts === undefined) contextsOnDevice.set(event.deviceName, (deviceContexts = new Set()));
    if (!deviceContexts.has(contextId)) {
      deviceContexts.add(contextId);
      for (const key of binaryPrevalenceKeys(event.initiatingProcessSHA256, event.initiatingProcessFolderPath, event.initiatingProcessFileName)) seenOnDevice(event.deviceName, "binary", key);
    }
    if (event.kind === "process") for (const key of binaryPrevalenceKeys(event.sha256, event.folderPath, event.fileName)) seenOnDevice(event.deviceName, "binary", key);
    if (event.kind === "network" && event.remoteIp !== null && CALLING_ACTIONS.has(event.actionType)) seenOnDevice(event.deviceName, "destination", destinationPrevalenceKey(event.remoteIp));
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
  return { contexts, texts, cells, prevalence: [...prevalence.values()] };
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
 * findings keep their evidence. Then the dataset is removed (and the change recorded for
 * detection) or marked failed, in the same transaction: a crash leaves all of it or none. Scans the events table, as the dataset is not
 * indexed (see the schema).
 */
export function releaseDatasetEvents(datasetId: string, dataset: "remove" | "mark-failed"): ReleasedEvents {
  const db = database();
  // IMMEDIATE: it reads before it writes, and a deferred transaction cannot wait for a writer
  // (an upload's batch) to finish: upgrading its read fails at once with "database is locked".
  return db.transaction((): ReleasedEvents => {
    db.prepare(`CREATE TEMP TABLE "HandedOver" ("eventId" INTEGER PRIMARY KEY, "owner" TEXT NOT NULL)`).run();
    try {
      // Only a complete dataset's events feed detection: removing it is a change to the devices of its
      // events (owned or shared), read before they go and recorded with the removal, so an incremental
      // run cannot miss them. A running or failed one changes nothing there, and costs no such read.
      const wasComplete = db.prepare(`SELECT "status" = 'complete' FROM "Dataset" WHERE "id" = ?`).pluck().get(datasetId) === 1;
      const devices = wasComplete
        ? (db
            .prepare(
              `SELECT "deviceName" FROM "TelemetryEvent" WHERE "datasetId" = @datasetId
               UNION SELECT e."deviceName" FROM "EventShare" s JOIN "TelemetryEvent" e ON e."id" = s."eventId" WHERE s."datasetId" = @datasetId`,
            )
            .pluck()
            .all({ datasetId }) as string[])
        : null;
      const kept = db
        .prepare(`INSERT INTO temp."HandedOver" SELECT "id", "owner" FROM (SELECT e."id", (${OTHER_HOLDER}) AS "owner" FROM "TelemetryEvent" e WHERE e."datasetId" = @datasetId) WHERE "owner" IS NOT NULL`)
        .run({ datasetId }).changes;
      db.prepare(`UPDATE "TelemetryEvent" SET "datasetId" = (SELECT "owner" FROM temp."HandedOver" h WHERE h."eventId" = "TelemetryEvent"."id") WHERE "id" IN (SELECT "eventId" FROM temp."HandedOver")`).run();
      db.prepare(`DELETE FROM "EventShare" WHERE ("eventId", "datasetId") IN (SELECT "eventId", "owner" FROM temp."HandedOver")`).run();
      db.prepare(`DELETE FROM "EventShare" WHERE "datasetId" = ?`).run(datasetId);
      db.prepare(`DELETE FROM "DatasetPrevalence" WHERE "datasetId" = ?`).run(datasetId);
      const removed = db.prepare(`DELETE FROM "TelemetryEvent" WHERE "datasetId" = ?`).run(datasetId).changes;
      if (dataset === "remove") db.prepare(`DELETE FROM "Dataset" WHERE "id" = ?`).run(datasetId);
      else db.prepare(`UPDATE "Dataset" SET "status" = 'failed' WHERE "id" = ?`).run(datasetId);
      if (devices !== null) recordDetectionChange({ devices });
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

/** One device's events for detection, or how many it would read when they would not fit in memory. */
export type DeviceEvents = { deviceName: string; events: DetectionEvent[] } | { deviceName: string; skippedEvents: number };

/** DETECTION_EVENT_FIELDS as the store keeps them: the event row's own columns, and its process context's. */
const DETECTION_ROW_COLUMNS = DETECTION_EVENT_FIELDS.filter((field) => field === "id" || (ROW_COLUMNS as readonly string[]).includes(field));
const DETECTION_CONTEXT_COLUMNS = DETECTION_EVENT_FIELDS.filter((field) => (CONTEXT_COLUMNS as readonly string[]).includes(field));

/** Texts and numbers bound as one JSON array each: `x IN (SELECT value FROM json_each(?))`. */
const IN_LIST = (parameter: string) => `(SELECT "value" FROM json_each(@${parameter}))`;
/** A name any non-ASCII character makes uncertain: SQLite's lower() folds ASCII only, so detection's own check decides. */
const NAME_MATCHES = (column: string, list: string) => `(lower(${column}) IN ${IN_LIST(list)} OR ${column} GLOB '*[^ -~]*')`;

const IN_LOOKBACK = `e."timeUs" > @afterUs AND e."timeUs" <= @untilUs`;
const CRYPTO_LOAD = `(e."kind" = 'image_load' AND ${IN_LOOKBACK} AND ${NAME_MATCHES(`e."fileName"`, "cryptoLibraries")})`;
/** A connection either mode may score (see DetectionSelection.addressClasses and actionTypes). */
const OUTBOUND = `(e."kind" = 'network' AND ${IN_LOOKBACK} AND e."actionType" IN ${IN_LIST("actionTypes")}
  AND (e."remoteIpType" IS NULL OR e."remoteIpType" = '' OR e."remoteIpType" IN ${IN_LIST("addressClasses")} OR e."remoteIpType" GLOB '*[^!-~]*'))`;
const ON_DEVICE = `e."deviceName" = @deviceName`;

/**
 * Candidate PIDs of a device (see detection-selection), in one pass over its rows: loads and
 * connections grouped by process and destination address (loads have none), a group making its
 * process a candidate when it holds a crypto load, is a long enough series, or is a network
 * tool's. Per address, not per port: that counts every series a beacon may be, per port or across.
 */
const CANDIDATE_PIDS = `SELECT DISTINCT "pid" FROM (
  SELECT c."initiatingProcessId" AS "pid" ${EVENTS_WITH_CONTEXT} WHERE ${ON_DEVICE} AND (${CRYPTO_LOAD} OR ${OUTBOUND})
  GROUP BY c."initiatingProcessId", e."remoteIp"
  HAVING max(e."kind" = 'image_load') OR count(*) >= @seriesMinConnections OR max(${NAME_MATCHES(`c."initiatingProcessFileName"`, "networkTools")}))
  WHERE "pid" IS NOT NULL`;

/** The parents of candidates: who created them, by their creation events (one without a PID may be a candidate's, found by GUID). */
const PARENT_PIDS = `SELECT DISTINCT c."initiatingProcessId" ${EVENTS_WITH_CONTEXT}
  WHERE ${ON_DEVICE} AND e."kind" = 'process' AND (e."processId" IN ${IN_LIST("candidates")} OR e."processId" IS NULL) AND c."initiatingProcessId" IS NOT NULL`;

/**
 * What detection reads of a device: crypto loads, candidates' connections, and the process
 * creations lineage and the openssl rule look up. A creation without a PID is read too (a
 * GUID may still find it); one found by GUID is assumed to carry its process's PID, as Sysmon's do.
 */
const DETECTION_READ = `${EVENTS_WITH_CONTEXT} WHERE ${ON_DEVICE} AND (${CRYPTO_LOAD}
  OR (${OUTBOUND} AND c."initiatingProcessId" IN ${IN_LIST("candidates")})
  OR (e."kind" = 'process' AND (e."processId" IS NULL OR e."processId" IN ${IN_LIST("candidates")} OR e."processId" IN ${IN_LIST("parents")}
    OR ${NAME_MATCHES(`e."fileName"`, "opensslNames")})))
  AND ${HELD_BY_COMPLETE_DATASET}`;

/**
 * The events of complete datasets that detection reads (see detection-selection), one device at a
 * time (every device, or `only` these), with only the columns it uses (DetectionEvent). Both detection modes only relate events of
 * the same device, so memory holds one device's events, not the whole store. Candidates are found
 * by SQLite (GROUP BY included) before any event is built. A device with more than `maxEvents` to
 * read (counted before anything is read: on the identity index alone when its whole count fits)
 * is not read at all, and one whose distinct texts make it cost more than that many events is
 * given up while it is read.
 */
export function* completeEventsByDevice(
  selection: DetectionSelection,
  { maxEvents = Number.POSITIVE_INFINITY, onProgress, only }: { maxEvents?: number; onProgress?: (devicesDone: number, devicesTotal: number) => void; only?: readonly string[] } = {},
): Generator<DeviceEvents> {
  const db = database();
  const stored = db.prepare(`SELECT DISTINCT "deviceName" FROM "TelemetryEvent"`).pluck().all() as string[];
  // `only`: the devices an incremental run recomputes (one that has no events left has nothing to read).
  const onlyThese = only === undefined ? null : new Set(only);
  const devices = onlyThese === null ? stored : stored.filter((deviceName) => onlyThese.has(deviceName));
  const storedCount = db.prepare(`SELECT count(*) FROM "TelemetryEvent" WHERE "deviceName" = ?`).pluck();
  const candidatePids = db.prepare(CANDIDATE_PIDS).pluck();
  const parentPids = db.prepare(PARENT_PIDS).pluck();
  const selectedCount = db.prepare(`SELECT count(*) ${DETECTION_READ}`).pluck();
  // One range of the identity index per device, in time order. Rows come as arrays: better-sqlite3
  // builds those nearly three times faster than objects, and the objects are built here instead.
  // The process context is read once per context, not once per event.
  const eventsOf = db.prepare(`SELECT ${quoted(DETECTION_ROW_COLUMNS, "e")}, e."contextId" ${DETECTION_READ} ORDER BY e."timeUs"`).raw(true);
  const contextsOf = db.prepare(`SELECT "id", ${quoted(DETECTION_CONTEXT_COLUMNS)} FROM "ProcessContext" WHERE "id" IN ${IN_LIST("ids")}`).raw(true);
  const lists = {
    cryptoLibraries: JSON.stringify(selection.cryptoLibraries),
    networkTools: JSON.stringify(selection.networkTools),
    opensslNames: JSON.stringify(selection.opensslNames),
    addressClasses: JSON.stringify(selection.addressClasses),
    actionTypes: JSON.stringify(selection.actionTypes),
    afterUs: selection.afterUs,
    untilUs: selection.untilUs,
    seriesMinConnections: selection.seriesMinConnections,
  };
  for (const [done, deviceName] of devices.entries()) {
    onProgress?.(done, devices.length);
    const candidates = JSON.stringify(candidatePids.all({ ...lists, deviceName }));
    const read = { ...lists, deviceName, candidates, parents: JSON.stringify(parentPids.all({ deviceName, candidates })) };
    const storedEvents = storedCount.get(deviceName) as number;
    const toRead = storedEvents <= maxEvents ? storedEvents : (selectedCount.get(read) as number);
    if (toRead > maxEvents) {
      yield { deviceName, skippedEvents: toRead };
      continue;
    }
    // Row by row, texts shared as they come, so a device whose distinct texts would not fit is
    // given up as soon as that is clear.
    const events = detectionEventsFromRows(eventsOf.iterate(read) as IterableIterator<unknown[]>, (ids) => contextsOf.all({ ids: JSON.stringify(ids) }) as unknown[][], maxEvents * DETECTION_BYTES_PER_EVENT);
    if (events === null) yield { deviceName, skippedEvents: storedEvents <= maxEvents ? (selectedCount.get(read) as number) : toRead };
    else if (events.length > 0) yield { deviceName, events };
  }
  onProgress?.(devices.length, devices.length);
}

/** A detection event from its row (DETECTION_ROW_COLUMNS, then the context id) and its context's columns. */
const detectionEventFromRow = new Function(
  "row",
  "context",
  `return { ${[...DETECTION_ROW_COLUMNS.map((column, index) => `${column}: row[${index}]`), ...DETECTION_CONTEXT_COLUMNS.map((column, index) => `${column}: context[${index + 1}]`)].join(", ")} };`,
) as (row: unknown[], context: unknown[]) => DetectionEvent;

/**
 * A device's detection events: rows first (their texts shared, as in eventsFromRows), then each
 * context read once and joined to its events. Null when they would cost more heap than `budgetBytes`.
 */
function detectionEventsFromRows(rows: Iterable<unknown[]>, readContexts: (ids: number[]) => unknown[][], budgetBytes: number): DetectionEvent[] | null {
  const shared = new Map<string, string>();
  const kept: unknown[][] = [];
  const contextIds = new Set<number>();
  let cost = 0;
  for (const row of rows) {
    cost += DETECTION_BYTES_PER_EVENT;
    cost += shareTexts(row, DETECTION_SHARED_TEXT_COLUMNS, shared);
    if (cost > budgetBytes) return null;
    contextIds.add(row[DETECTION_ROW_COLUMNS.length] as number);
    kept.push(row);
  }
  const contexts = new Map<number, unknown[]>();
  for (const context of readContexts([...contextIds])) {
    cost += shareTexts(context, DETECTION_CONTEXT_TEXT_COLUMNS, shared);
    contexts.set(context[0] as number, context);
  }
  if (cost > budgetBytes) return null;
  return kept.map((row) => detectionEventFromRow(row, contexts.get(row[DETECTION_ROW_COLUMNS.length] as number)!));
}

/**
 * One fixed-shape object literal per row: properties added one by one in a loop leave V8 with
 * dictionary objects, several times larger. Generated from EVENT_COLUMNS so it cannot drift.
 */
const eventFromRow = new Function("row", `return { ${EVENT_COLUMNS.map((column, index) => `${column}: row[${index}]`).join(", ")} };`) as (row: unknown[]) => TelemetryEvent;

/** Columns whose text repeats across a device's events (names, paths, command lines, hashes): not the times. */
const textColumns = (columns: readonly string[], offset = 0) => columns.flatMap((column, index) => (column === "timestamp" || column === "loggedAt" ? [] : [index + offset]));
const SHARED_TEXT_COLUMNS = textColumns(EVENT_COLUMNS);
const DETECTION_SHARED_TEXT_COLUMNS = textColumns(DETECTION_ROW_COLUMNS);
const DETECTION_CONTEXT_TEXT_COLUMNS = textColumns(DETECTION_CONTEXT_COLUMNS, 1);

/**
 * SQLite hands out a new string per row, so a process's command line would be held once per
 * event: equal strings of these columns are replaced by one shared copy. Answers the heap the
 * row's new distinct texts cost (see device-event-budget).
 */
function shareTexts(row: unknown[], columns: readonly number[], shared: Map<string, string>): number {
  let cost = 0;
  for (const column of columns) {
    const value = row[column];
    if (typeof value !== "string") continue;
    const known = shared.get(value);
    if (known === undefined) {
      shared.set(value, value);
      cost += distinctTextBytes(value.length);
    } else row[column] = known;
  }
  return cost;
}

/** Whole events from rows of EVENT_COLUMNS, their texts shared. */
function eventsFromRows(rows: Iterable<unknown[]>): TelemetryEvent[] {
  const shared = new Map<string, string>();
  const events: TelemetryEvent[] = [];
  for (const row of rows) {
    shareTexts(row, SHARED_TEXT_COLUMNS, shared);
    events.push(eventFromRow(row));
  }
  return events;
}

/** The newest event time of complete datasets, in epoch microseconds; null when there are none. */
export function newestCompleteEventUs(): number | null {
  const row = database().prepare(`SELECT max(e."timeUs") AS newest FROM "TelemetryEvent" e WHERE ${HELD_BY_COMPLETE_DATASET}`).get() as { newest: number | null };
  return row.newest;
}

/** A stored event with the dataset (and its file) that stored it. */
export type ListedEvent = TelemetryEvent & { datasetId: string; datasetFileName: string | null };

const LISTED_EVENTS = `SELECT ${EVENT_SELECT_LIST}, e."datasetId", d."fileName" ${EVENTS_WITH_CONTEXT} LEFT JOIN "Dataset" d ON d."id" = e."datasetId"`;

function listedEvent(row: unknown[]): ListedEvent {
  return { ...eventFromRow(row), datasetId: row[EVENT_COLUMNS.length] as string, datasetFileName: row[EVENT_COLUMNS.length + 1] as string | null };
}

/** Stored events by id, in time order (the events behind a finding's reason). */
export function eventsByIds(ids: readonly number[]): ListedEvent[] {
  if (ids.length === 0) return [];
  const rows = database()
    .prepare(`${LISTED_EVENTS} WHERE e."id" IN (${ids.map(() => "?").join(", ")}) ORDER BY e."timeUs"`)
    .raw()
    .all(...ids) as unknown[][];
  return rows.map(listedEvent);
}

export interface DatasetEventFilter {
  kind?: TelemetryKind;
  /** A loaded or created file's name, exactly, ignoring case. */
  fileName?: string;
}

/**
 * The first `limit` events a dataset holds (those it stored and those another upload stored
 * first, see EventShare), in time order, narrowed by kind and file name, with how many match.
 */
export function datasetEvents(datasetId: string, filter: DatasetEventFilter, limit: number): { events: ListedEvent[]; total: number } {
  const where = [`(e."datasetId" = @datasetId OR e."id" IN (SELECT "eventId" FROM "EventShare" WHERE "datasetId" = @datasetId))`];
  if (filter.kind !== undefined) where.push(`e."kind" = @kind`);
  if (filter.fileName !== undefined) where.push(`lower(e."fileName") = lower(@fileName)`);
  const params = { datasetId, kind: filter.kind ?? null, fileName: filter.fileName ?? null, limit };
  const db = database();
  const total = db.prepare(`SELECT count(*) FROM "TelemetryEvent" e WHERE ${where.join(" AND ")}`).pluck().get(params) as number;
  const rows = db.prepare(`${LISTED_EVENTS} WHERE ${where.join(" AND ")} ORDER BY e."timeUs", e."id" LIMIT @limit`).raw().all(params) as unknown[][];
  return { events: rows.map(listedEvent), total };
}
