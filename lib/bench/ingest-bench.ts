/**
 * Ingestion benchmark: a synthetic fleet written to disk as CSV and as NDJSON (untimed), then
 * each file streamed through the same path as an upload (decoding, stream parser, validation,
 * batched writes), beside a floor measured in the same run: the same rows inserted by a minimal
 * better-sqlite3 prepared statement in one transaction.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { csvField } from "../demo/demo-files";
import { decodeFileChunks } from "../ingest/decode-upload";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { DEFENDER_EXPORT_COLUMNS, defenderExportRow } from "./defender-export-row";
import { syntheticFleet, type FleetSize } from "./synthetic-fleet";

// 200 devices x 50 processes x (50 loads + 50 connections) = 1,000,000 events (CW_BENCH_DEVICES scales it).
const FLEET: FleetSize = { devices: Number(process.env.CW_BENCH_DEVICES ?? 200), processesPerDevice: 50, loadsPerProcess: 50, connectionsPerProcess: 50 };
// Every column the portal exports, at real lengths (defender-export-row); each event's ReportId is its id.
const exportRow = (event: TelemetryEvent) => defenderExportRow(event, event.id ?? 0);

/** Writes lines to a file in 1 MiB pieces, so the bench itself stays small in memory. */
export async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  let piece = "";
  for (const line of lines) {
    piece += line;
    if (piece.length >= 1 << 20) {
      if (!out.write(piece)) await once(out, "drain");
      piece = "";
    }
  }
  out.end(piece);
  await once(out, "finish");
  return statSync(file).size;
}

let peakRss = 0;

/** Samples resident memory between chunks (the ingest loop gives timers no chance to run). */
async function* sampled<Chunk>(chunks: AsyncIterable<Chunk>): AsyncGenerator<Chunk> {
  for await (const chunk of chunks) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    yield chunk;
  }
}

/** A synthetic fleet as a Defender CSV export, line by line; another start time gives other events. */
export function* fleetCsvLines(fleet: FleetSize = FLEET, startUs?: number): Generator<string> {
  yield `${DEFENDER_EXPORT_COLUMNS.join(",")}\n`;
  for (const event of syntheticFleet(fleet, startUs)) {
    const row = exportRow(event);
    yield `${DEFENDER_EXPORT_COLUMNS.map((column) => csvField(row[column] ?? null)).join(",")}\n`;
  }
}

function* ndjsonLines(): Generator<string> {
  for (const event of syntheticFleet(FLEET, Date.UTC(2026, 10, 25) * 1000)) yield `${JSON.stringify(exportRow(event))}\n`;
}


export async function runIngestBench(): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), "cw-bench-"));
  process.env.DATABASE_URL = `file:${path.join(directory, "bench.db")}`;
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: process.env, stdio: "pipe" });
  const { ingestTelemetryStream } = await import("../server/ingest-upload");
  const { prisma } = await import("../server/db");

  console.log("== Ingestion (same path as an upload, detection deferred) ==");
  const rates: number[] = [];
  for (const [label, lines] of [
    ["CSV", fleetCsvLines()],
    ["NDJSON", ndjsonLines()],
  ] as const) {
    const file = path.join(directory, `bench.${label.toLowerCase()}`);
    const bytes = await writeLines(file, lines);
    console.log(`${label} file: ${(bytes / 1048576).toFixed(0)} MiB (written before timing)`);
    const started = performance.now();
    const result = await ingestTelemetryStream(path.basename(file), sampled(decodeFileChunks(file, Number.MAX_SAFE_INTEGER)), "cli:bench");
    const seconds = (performance.now() - started) / 1000;
    rates.push(result.accepted / seconds);
    console.log(`${label.padEnd(7)} ${result.accepted.toLocaleString("en-US")} events stored in ${seconds.toFixed(1)} s: ${Math.round(result.accepted / seconds).toLocaleString("en-US")} events/s (rejected ${result.rejected})`);
  }
  console.log(`peak resident memory during ingestion: ${(peakRss / 1048576).toFixed(0)} MiB (sampled between chunks)`);

  // Detection over everything just stored, as the server runs it after an upload (device by device).
  const { runStoredDetectionBench } = await import("./stored-detection-bench");
  await runStoredDetectionBench();
  console.log(`process peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  await prisma.$disconnect();

  const floor = importFloor(path.join(directory, "bench.csv"), path.join(directory, "floor.db"));
  console.log(`floor: ${floor.how}: ${Math.round(floor.rate).toLocaleString("en-US")} events/s`);
  for (const [index, label] of ["CSV", "NDJSON"].entries()) console.log(`${label} / floor: ${(floor.rate / rates[index]).toFixed(2)}x slower than the floor`);
  rmSync(directory, { recursive: true, force: true });
}

const SQLITE_SHELL = "/usr/bin/sqlite3";

/**
 * What SQLite itself takes to store the same export in a plain table: the CSV file imported by
 * Debian's sqlite3 shell, or where it is missing the same rows inserted by one prepared statement
 * in one transaction.
 */
function importFloor(csvFile: string, databaseFile: string): { how: string; rate: number } {
  const events = FLEET.devices * FLEET.processesPerDevice * (FLEET.loadsPerProcess + FLEET.connectionsPerProcess);
  if (existsSync(SQLITE_SHELL)) {
    const started = performance.now();
    execFileSync(SQLITE_SHELL, [databaseFile, "-cmd", ".mode csv", `.import "${csvFile}" events`]);
    const seconds = (performance.now() - started) / 1000;
    const imported = Number(execFileSync(SQLITE_SHELL, [databaseFile, "SELECT count(*) FROM events"], { encoding: "utf8" }));
    if (imported !== events) throw new Error(`sqlite3 .import stored ${imported} rows, not ${events}`);
    return { how: "the same CSV imported by sqlite3 .import into a plain table", rate: events / seconds };
  }
  const db = new Database(databaseFile);
  db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE events (${DEFENDER_EXPORT_COLUMNS.map((column) => `"${column}"`).join(", ")})`);
  const insert = db.prepare(`INSERT INTO events VALUES (${DEFENDER_EXPORT_COLUMNS.map(() => "?").join(", ")})`);
  const rows = [...syntheticFleet(FLEET)].map((event) => {
    const row = exportRow(event);
    return DEFENDER_EXPORT_COLUMNS.map((column) => row[column] ?? null);
  });
  const started = performance.now();
  db.transaction(() => {
    for (const row of rows) insert.run(row);
  })();
  const rate = rows.length / ((performance.now() - started) / 1000);
  db.close();
  return { how: "the same rows inserted by one prepared statement in one transaction", rate };
}
