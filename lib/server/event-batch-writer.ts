import "server-only";
import { Worker } from "node:worker_threads";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { BATCH_IDENTITY_CELLS, BATCH_TEXT_CELLS, encodeEventBatch, EVENT_BATCH_SQL, prepareEventStore, type EventBatch } from "./event-store";
import { CONNECTION_PRAGMAS, databaseFile } from "./sqlite-connection";

/**
 * Batches are written on a thread of their own, so parsing the next part of an upload overlaps
 * with SQLite storing the last one: on two cores this nearly halves the time of a bulk load.
 * One writer thread serves the whole process (SQLite has one writer anyway) and takes batches in
 * the order they were sent; each batch is one transaction, so a crash or kill still leaves whole
 * batches or nothing.
 *
 * The thread's code is plain JavaScript, evaluated rather than loaded from a file, so it runs the
 * same under Next's server bundle, the CLI and the tests. It only executes the statements it is
 * given: the table layout stays in event-store.
 */
const WRITER_THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");
const db = new Database(workerData.file);
for (const pragma of workerData.pragmas) db.pragma(pragma);
const insertContext = db.prepare(workerData.sql.insertContext);
const insertOne = db.prepare(workerData.sql.insert);
const insertMany = db.prepare(workerData.sql.insertMany);
const countProgress = db.prepare(workerData.sql.countProgress);
const shareExisting = db.prepare(workerData.sql.shareExisting);
const insertPrevalence = db.prepare(workerData.sql.insertPrevalence);
const identity = workerData.identityCells;
const textCells = workerData.textCells;
const width = textCells.length;
const perInsert = workerData.sql.eventsPerInsert;
// Arrays reused for every statement (each row the dataset id, then its cells): decoding allocates nothing per event.
const manyRows = new Array((width + 1) * perInsert);
const oneRow = new Array(width + 1);
function decodeRow(target, at, datasetId, texts, cells, start) {
  target[at] = datasetId;
  for (let cell = 0; cell < width; cell++) {
    const value = cells[start + cell];
    target[at + 1 + cell] = textCells[cell] ? (value < 0 ? null : texts[value]) : value !== value ? null : value;
  }
}
// Events [first, first + count) met rows already stored: those of other datasets are shared with this one.
function shareStored(datasetId, texts, cells, first, count) {
  for (let event = first; event < first + count; event++) {
    const start = event * width;
    shareExisting.run({ datasetId, deviceName: texts[cells[start + identity.deviceName]], timeUs: cells[start + identity.timeUs], eventKey: cells[start + identity.eventKey] });
  }
}
const storeBatch = db.transaction((datasetId, { contexts, texts, cells, prevalence }) => {
  for (const context of contexts) insertContext.run(context);
  for (const [deviceName, kind, key] of prevalence) insertPrevalence.run(datasetId, deviceName, kind, key);
  const events = cells.length / width;
  const inMany = events - (events % perInsert);
  let inserted = 0;
  for (let event = 0; event < inMany; event += perInsert) {
    for (let row = 0; row < perInsert; row++) decodeRow(manyRows, row * (width + 1), datasetId, texts, cells, (event + row) * width);
    const changes = insertMany.run(manyRows).changes;
    if (changes < perInsert) shareStored(datasetId, texts, cells, event, perInsert);
    inserted += changes;
  }
  for (let event = inMany; event < events; event++) {
    decodeRow(oneRow, 0, datasetId, texts, cells, event * width);
    const changes = insertOne.run(oneRow).changes;
    if (changes === 0) shareStored(datasetId, texts, cells, event, 1);
    inserted += changes;
  }
  countProgress.run({ inserted, datasetId });
  return inserted;
});
parentPort.on("message", ({ id, datasetId, batch }) => {
  try {
    parentPort.postMessage({ id, inserted: storeBatch(datasetId, batch) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

type Settle = { resolve: (inserted: number) => void; reject: (error: Error) => void };
type WriterReply = { id: number; inserted?: number; error?: string };

let writerThread: { worker: Worker; pending: Map<number, Settle>; nextId: number } | null = null;

function thread() {
  if (writerThread) return writerThread;
  // Legacy rows must carry their new keys before new rows can be checked against them.
  prepareEventStore();
  const worker = new Worker(WRITER_THREAD_SOURCE, {
    eval: true,
    workerData: { file: databaseFile(), pragmas: CONNECTION_PRAGMAS, sql: EVENT_BATCH_SQL, textCells: BATCH_TEXT_CELLS, identityCells: BATCH_IDENTITY_CELLS },
    // It holds at most a few batches: a small heap keeps the server's memory bounded.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
  });
  const current = { worker, pending: new Map<number, Settle>(), nextId: 1 };
  worker.on("message", ({ id, inserted, error }: WriterReply) => {
    const settle = current.pending.get(id);
    current.pending.delete(id);
    if (current.pending.size === 0) worker.unref();
    if (error !== undefined) settle?.reject(new Error(error));
    else settle?.resolve(inserted ?? 0);
  });
  const failAll = (error: Error) => {
    if (writerThread === current) writerThread = null;
    for (const settle of current.pending.values()) settle.reject(error);
    current.pending.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`The event writer thread stopped (exit code ${code}).`)));
  // An idle writer must not keep the CLI or a test process alive.
  worker.unref();
  writerThread = current;
  return current;
}

function sendBatch(datasetId: string, batch: EventBatch): Promise<number> {
  const current = thread();
  const id = current.nextId++;
  return new Promise<number>((resolve, reject) => {
    current.pending.set(id, { resolve, reject });
    current.worker.ref();
    // The cells move to the writer thread rather than being copied.
    current.worker.postMessage({ id, datasetId, batch }, [batch.cells.buffer]);
  });
}

/** How many batches of one upload may wait for the writer before parsing pauses (bounds memory). */
const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * One dataset's batches on their way to the writer thread. `write` never blocks; the caller
 * awaits `drain` between chunks of input so at most a few batches are held in memory, and
 * `finish` before declaring the dataset complete (or deleting it after a failure).
 */
export class DatasetEventWriter {
  private inFlight: Promise<number>[] = [];
  private stored = 0;
  private firstError: Error | null = null;
  /** Process contexts this upload has sent: each goes to the writer once. */
  private readonly sentContexts = new Set<number>();

  constructor(private readonly datasetId: string) {}

  write(events: readonly TelemetryEvent[]): void {
    const batch = sendBatch(this.datasetId, encodeEventBatch(events, this.sentContexts)).then(
      (inserted) => (this.stored += inserted),
      (error: Error) => {
        this.firstError ??= error;
        return 0;
      },
    );
    this.inFlight.push(batch);
  }

  /** Waits until few enough batches are outstanding; throws the first failed batch's error. */
  async drain(maxInFlight = MAX_BATCHES_IN_FLIGHT): Promise<void> {
    while (this.inFlight.length > maxInFlight) await this.inFlight.shift();
    if (this.firstError) throw this.firstError;
  }

  /** Waits for every batch; the number of events stored (duplicates are skipped). */
  async finish(): Promise<number> {
    await this.drain(0);
    return this.stored;
  }

  /** Waits for every batch, ignoring failures: nothing of this dataset is still being written. */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight);
    this.inFlight = [];
  }
}
