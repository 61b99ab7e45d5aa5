/**
 * `npm run loadtest`: the production server (see bench-server) on a throwaway database, under a
 * bounded mixed load for CW_LOADTEST_SECONDS (default 60): concurrent uploads of generated
 * Defender CSV exports (some overlapping earlier ones, so duplicates and shared events happen),
 * page and API views, allowlist edits and dataset deletes, each of which asks for a detection
 * rerun in the background. Then it waits for detection to settle and prints what was served,
 * the errors, the latency per route and a row count check against the database file.
 *
 * Numbers only: latency is not judged. It exits non-zero for correctness failures only: the
 * server did not start, a 5xx, "database is locked", detection failing or never settling, or
 * stored rows that do not add up.
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { percentile, postFile, sleep, startBenchServer, timedFetch, waitForDetectionSettled, type BenchServer, type DetectionStatus, type TimedAnswer } from "./bench-server";
import { fleetCsvLines, writeLines } from "./ingest-bench";

const SECONDS = Number(process.env.CW_LOADTEST_SECONDS ?? 60);
const PORT = 3298;

const UPLOADERS = 8;
const PAGE_VIEWERS = 3;
// Per loop, so a fast server still meets a bounded number of requests.
const MAX_UPLOADS_PER_UPLOADER = 60;
const MAX_VIEWS_PER_VIEWER = 5_000;
const MAX_ALLOWLIST_EDITS = 200;
const ALLOWLIST_EDIT_PAUSE_MS = 250;
/** When the deleter deletes a completed upload, as fractions of the run. */
const DELETE_AT = [0.3, 0.6, 0.9];
const SETTLE_TIMEOUT_MS = 5 * 60_000;

// Viewer i starts at route i: the second one opens /allowlists as the editor's first edit arrives.
const VIEWED_ROUTES = ["/findings", "/allowlists", "/datasets", "/findings?mode=kql", "/api/findings?mode=kql", "/api/detection"];

// An upload: 12 devices x 5 processes x (25 loads + 25 connections) = 3,000 rows. Every third
// upload of an uploader repeats another uploader's previous file with 8 processes instead of 5:
// 3,000 rows already stored (or being stored at the same moment) and 1,800 new ones.
const UPLOAD_FLEET = { devices: 12, processesPerDevice: 5, loadsPerProcess: 25, connectionsPerProcess: 25 };
const OVERLAP_PROCESSES = 8;
// Each file's events start at its own slot, 5 minutes apart: distinct events, most of them within one lookback (24 h).
const FIRST_SLOT_US = Date.UTC(2026, 10, 20) * 1000;
const SLOT_US = 5 * 60 * 1_000_000;

const LOCKED = /database is locked/gi;

interface RouteRecord {
  latenciesMs: number[];
  failures: Map<string, number>;
}

/** Every answer by route: latency, and what went wrong with the ones that failed. */
class LoadRecord {
  readonly routes = new Map<string, RouteRecord>();
  /** The first message of each kind of failure, to say why. */
  readonly failureExamples = new Map<string, string>();
  lockedInErrorBodies = 0;
  /** Successful answers that say it: pages and /api/detection showing a detection run that failed on it. */
  lockedInOtherBodies = 0;

  record(route: string, answer: TimedAnswer, expectedStatus = 200): void {
    let routeRecord = this.routes.get(route);
    if (!routeRecord) this.routes.set(route, (routeRecord = { latenciesMs: [], failures: new Map() }));
    if (answer.status !== 0) routeRecord.latenciesMs.push(answer.ms);
    const failure = failureLabel(answer, expectedStatus);
    const locked = answer.body.match(LOCKED)?.length ?? 0;
    if (failure === null) {
      this.lockedInOtherBodies += locked;
      return;
    }
    this.lockedInErrorBodies += locked;
    routeRecord.failures.set(failure, (routeRecord.failures.get(failure) ?? 0) + 1);
    if (!this.failureExamples.has(failure)) this.failureExamples.set(failure, `${route}: ${answer.failure ?? answer.body.slice(0, 300)}`);
  }

  count(failure: (label: string) => boolean): number {
    let total = 0;
    for (const { failures } of this.routes.values()) for (const [label, count] of failures) if (failure(label)) total += count;
    return total;
  }
}

function failureLabel(answer: TimedAnswer, expectedStatus: number): string | null {
  if (answer.status === 0) return "no answer";
  if (answer.failure) return `HTTP ${answer.status}, body cut off`;
  return answer.status === expectedStatus ? null : `HTTP ${answer.status}`;
}

/** What the uploads and deletes did to the events table, for the row check. */
interface EventLedger {
  stored: number;
  duplicates: number;
  uploads: number;
  removed: number;
  kept: number;
  deletes: number;
  /** Uploads that answered 201 and are not deleted yet, oldest first, with the slot their events start at. */
  completedUploads: { datasetId: string; slot: number }[];
}

async function uploader(server: BenchServer, index: number, deadline: number, record: LoadRecord, ledger: EventLedger): Promise<void> {
  for (let upload = 0; upload < MAX_UPLOADS_PER_UPLOADER && performance.now() < deadline; upload++) {
    const overlapping = upload % 3 === 2;
    const slot = overlapping ? (upload - 1) * UPLOADERS + ((index + 1) % UPLOADERS) : upload * UPLOADERS + index;
    const fleet = { ...UPLOAD_FLEET, processesPerDevice: overlapping ? OVERLAP_PROCESSES : UPLOAD_FLEET.processesPerDevice };
    const file = path.join(server.directory, `uploader${index}-${upload}-slot${slot}.csv`);
    await writeLines(file, fleetCsvLines(fleet, FIRST_SLOT_US + slot * SLOT_US));
    const answer = await postFile(server.baseUrl, file, 120_000);
    rmSync(file);
    record.record("POST /api/ingest", answer, 201);
    if (answer.status !== 201) continue;
    const result = JSON.parse(answer.body) as { datasetId: string; accepted: number; duplicates: number };
    ledger.stored += result.accepted;
    ledger.duplicates += result.duplicates;
    ledger.uploads++;
    ledger.completedUploads.push({ datasetId: result.datasetId, slot });
  }
}

async function pageViewer(server: BenchServer, index: number, deadline: number, record: LoadRecord): Promise<void> {
  for (let view = 0; view < MAX_VIEWS_PER_VIEWER && performance.now() < deadline; view++) {
    const route = VIEWED_ROUTES[(view + index) % VIEWED_ROUTES.length];
    record.record(`GET ${route}`, await timedFetch(`${server.baseUrl}${route}`));
  }
}

/** Adds an excluded process name, then removes it again: two detection reruns asked for per edit. */
async function allowlistEditor(server: BenchServer, deadline: number, record: LoadRecord): Promise<void> {
  for (let edit = 0; edit < MAX_ALLOWLIST_EDITS && performance.now() < deadline; edit++) {
    const added = await timedFetch(`${server.baseUrl}/api/allowlists`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ list: "excludedSystemProcesses", value: `loadtest-${edit}.exe` }),
    });
    record.record("POST /api/allowlists", added, 201);
    await sleep(ALLOWLIST_EDIT_PAUSE_MS);
    if (added.status === 201) {
      const { entry } = JSON.parse(added.body) as { entry: { id: string } };
      record.record("DELETE /api/allowlists/:id", await timedFetch(`${server.baseUrl}/api/allowlists/${entry.id}`, { method: "DELETE" }));
      await sleep(ALLOWLIST_EDIT_PAUSE_MS);
    }
  }
}

/**
 * At each of DELETE_AT, deletes a completed upload: in turn the oldest one (no later upload
 * overlaps the first ones, so its events are removed) and the oldest one another completed upload
 * overlaps (so its events are handed over, not removed).
 */
async function datasetDeleter(server: BenchServer, started: number, deadline: number, record: LoadRecord, ledger: EventLedger): Promise<void> {
  const uploads = ledger.completedUploads;
  for (const [turn, fraction] of DELETE_AT.entries()) {
    await sleep(started + fraction * (deadline - started) - performance.now());
    while (uploads.length === 0 && performance.now() < deadline) await sleep(100);
    if (uploads.length === 0) return;
    const overlapped = turn % 2 === 0 ? -1 : uploads.findIndex((upload) => uploads.some((other) => other !== upload && other.slot === upload.slot));
    const [{ datasetId }] = uploads.splice(Math.max(overlapped, 0), 1);
    const answer = await timedFetch(`${server.baseUrl}/api/datasets/${datasetId}`, { method: "DELETE" });
    record.record("DELETE /api/datasets/:id", answer);
    if (answer.status !== 200) continue;
    const result = JSON.parse(answer.body) as { removedEvents: number; keptEvents: number };
    ledger.removed += result.removedEvents;
    ledger.kept += result.keptEvents;
    ledger.deletes++;
  }
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

function printLatencies(record: LoadRecord): void {
  console.log(`${"route".padEnd(28)} ${"answers".padStart(8)} ${"errors".padStart(7)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)}`);
  for (const [route, { latenciesMs, failures }] of [...record.routes].sort(([a], [b]) => a.localeCompare(b))) {
    const errors = [...failures.values()].reduce((sum, value) => sum + value, 0);
    const cells = [50, 95, 99].map((p) => percentile(latenciesMs, p).toFixed(0).padStart(8));
    console.log(`${route.padEnd(28)} ${count(latenciesMs.length).padStart(8)} ${count(errors).padStart(7)} ${cells.join(" ")}`);
  }
}

function printErrors(record: LoadRecord): void {
  const byStatus = new Map<string, number>();
  const byRoute: string[] = [];
  for (const [route, { failures }] of record.routes) {
    for (const [label, times] of failures) {
      byStatus.set(label, (byStatus.get(label) ?? 0) + times);
      byRoute.push(`${route}: ${label} x${count(times)}`);
    }
  }
  if (byStatus.size === 0) {
    console.log("errors: none");
    return;
  }
  console.log(`errors by status: ${[...byStatus].map(([label, times]) => `${label}: ${count(times)}`).join(", ")}`);
  console.log(`errors by route: ${byRoute.join("; ")}`);
  for (const [label, example] of record.failureExamples) console.log(`  first ${label}: ${example.replace(/\s+/g, " ")}`);
}

async function main(): Promise<number> {
  console.log(`== Load test: ${SECONDS} s of mixed load on the production server ==`);
  let server: BenchServer;
  try {
    server = await startBenchServer({ port: PORT, tempPrefix: "cw-loadtest-" });
  } catch (error) {
    console.error(`the server could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    console.log(`server: ${server.baseUrl}, started as \`${server.startCommand}\`, pid ${server.pid}`);
    console.log(`load: ${UPLOADERS} uploaders, ${PAGE_VIEWERS} page viewers, 1 allowlist editor, 1 dataset deleter`);
    const record = new LoadRecord();
    const ledger: EventLedger = { stored: 0, duplicates: 0, uploads: 0, removed: 0, kept: 0, deletes: 0, completedUploads: [] };
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    await Promise.all([
      ...Array.from({ length: UPLOADERS }, (_, index) => uploader(server, index, deadline, record, ledger)),
      ...Array.from({ length: PAGE_VIEWERS }, (_, index) => pageViewer(server, index, deadline, record)),
      allowlistEditor(server, deadline, record),
      datasetDeleter(server, started, deadline, record, ledger),
    ]);
    const loadSeconds = (performance.now() - started) / 1000;

    const failures: string[] = [];
    let settled: { ms: number; status: DetectionStatus } | null = null;
    try {
      settled = await waitForDetectionSettled(server.baseUrl, SETTLE_TIMEOUT_MS);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
    const database = new Database(server.databaseFile, { readonly: true });
    const rowsInDatabase = database.prepare(`SELECT count(*) FROM "TelemetryEvent"`).pluck().get() as number;
    database.close();
    const serverStderr = readFileSync(server.stderrFile, "utf8");
    const lockedInStderr = serverStderr.match(LOCKED)?.length ?? 0;

    const answered = [...record.routes.values()].reduce((sum, route) => sum + route.latenciesMs.length, 0);
    console.log(`requests served: ${count(answered)} in ${loadSeconds.toFixed(1)} s (${(answered / loadSeconds).toFixed(1)}/s); without an answer: ${count(record.count((label) => label === "no answer"))}`);
    printLatencies(record);
    printErrors(record);
    console.log(`uploads: ${count(ledger.uploads)} answered 201, ${count(ledger.stored)} events stored, ${count(ledger.duplicates)} rows already stored`);
    console.log(`deletes: ${count(ledger.deletes)} answered 200, ${count(ledger.removed)} events removed, ${count(ledger.kept)} kept (another dataset holds them)`);
    if (settled) {
      const { lastRun, failure } = settled.status;
      console.log(
        `detection: settled ${(settled.ms / 1000).toFixed(1)} s after the load; last run covers change ${lastRun?.generation ?? "none"}, ` +
          `${count(lastRun?.findings ?? 0)} default / ${count(lastRun?.seedFindings ?? 0)} seed findings${failure ? `; newest attempt failed: ${failure.reason}` : ""}`,
      );
      if (failure) failures.push(`detection failed: ${failure.reason}`);
    }
    const expected = ledger.stored - ledger.removed;
    const rowsMatch = expected === rowsInDatabase;
    console.log(
      `row check: ${count(ledger.stored)} stored by uploads − ${count(ledger.removed)} removed by deletes = ${count(expected)} expected, ` +
        `${count(rowsInDatabase)} in the database: ${rowsMatch ? "OK" : "MISMATCH"}`,
    );
    console.log(
      `"database is locked": ${record.lockedInErrorBodies} in error bodies, ${lockedInStderr} in the server's stderr ` +
        `(${record.lockedInOtherBodies} successful answers showed a detection failure saying it)`,
    );

    if (!rowsMatch) failures.push(`the events table holds ${count(rowsInDatabase)} rows where uploads and deletes account for ${count(expected)}`);
    const serverErrors = record.count((label) => /^HTTP 5/.test(label));
    if (serverErrors > 0) failures.push(`${count(serverErrors)} answers with a 5xx status`);
    if (record.lockedInErrorBodies + lockedInStderr > 0) failures.push(`"database is locked" ${record.lockedInErrorBodies + lockedInStderr} times`);
    if (failures.length === 0) return 0;
    console.log(`FAILED: ${failures.join("; ")}`);
    const errorLines = [...new Set(serverStderr.split("\n").filter((line) => /error|locked|busy/i.test(line)))].slice(0, 8);
    if (errorLines.length > 0) console.log(`server stderr (first distinct error lines):\n  ${errorLines.join("\n  ")}`);
    return 1;
  } finally {
    await server.stop();
  }
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
