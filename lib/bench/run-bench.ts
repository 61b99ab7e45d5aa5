/**
 * `npm run bench`: detection speed on a large synthetic fleet, printed beside the time SQLite
 * itself needs for the bare correlation join on the same rows, measured in the same run.
 * Numbers only: nothing here passes or fails on timing.
 */
import Database from "better-sqlite3";
import { performance } from "node:perf_hooks";
import { runDefaultDetection } from "../detection/default-detection";
import { SEED_QUERY_LISTS } from "../detection/detection-lists";
import { DEFAULT_DETECTION_SETTINGS } from "../detection/detection-settings";
import { runSeedQuery, newestEventUs } from "../detection/seed-kql-query";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { runEvtxBench } from "./evtx-bench";
import { runIngestBench } from "./ingest-bench";
import { runServerMemoryBench } from "./server-memory-bench";
import { syntheticFleet, type FleetSize } from "./synthetic-fleet";

// 400 devices x 50 processes x 50 = 1,000,000 image loads and 1,000,000 connections.
const FLEET: FleetSize = { devices: 400, processesPerDevice: 50, loadsPerProcess: 50, connectionsPerProcess: 50 };

function timed<T>(label: string, work: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = work();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms`);
  return { result, ms };
}

function mib(bytes: number) {
  return `${(bytes / 1048576).toFixed(0)} MiB`;
}

async function main() {
  // Ingestion first, so its peak memory is not inflated by the detection fleet.
  await runIngestBench();
  await runEvtxBench();
  console.log("\n== Detection ==");
  const { result: events } = timed("generate synthetic fleet", () => [...syntheticFleet(FLEET)]);
  const loads = events.filter((e) => e.kind === "image_load").length;
  console.log(`events: ${loads.toLocaleString("en-US")} image loads, ${(events.length - loads).toLocaleString("en-US")} connections; heap ${mib(process.memoryUsage().heapUsed)}`);
  const asOfUs = newestEventUs(events)!;

  const seed = timed("seed KQL mode (runSeedQuery)", () => runSeedQuery(events, { asOfUs, lists: SEED_QUERY_LISTS }));
  const corrected = timed("default mode (runDefaultDetection, with beacon scoring)", () =>
    runDefaultDetection(events, { asOfUs, lists: SEED_QUERY_LISTS, settings: DEFAULT_DETECTION_SETTINGS }),
  );
  console.log(`findings: seed ${seed.result.length.toLocaleString("en-US")}, default ${corrected.result.length.toLocaleString("en-US")}`);

  const { ms: sqliteMs, groups } = sqliteCorrelationFloor(events, asOfUs);
  // Cross-check: the SQLite join groups the same processes the seed mode reports.
  console.log(`seed mode and SQLite agree on the number of flagged groups: ${groups === seed.result.length ? "yes" : `NO (${groups} vs ${seed.result.length})`}`);
  console.log("");
  console.log(`seed KQL mode    / SQLite bare join: ${(seed.ms / sqliteMs).toFixed(2)}x`);
  console.log(`default mode     / SQLite bare join: ${(corrected.ms / sqliteMs).toFixed(2)}x`);
  console.log("");
  await runServerMemoryBench();
}

/** The same join in SQLite: crypto loads x public non-standard-port connections within 15 minutes. */
function sqliteCorrelationFloor(events: TelemetryEvent[], asOfUs: number): { ms: number; groups: number } {
  const db = new Database(":memory:");
  db.exec(`CREATE TABLE loads (device TEXT, pid INTEGER, t INTEGER, file TEXT, process TEXT, cmd TEXT);
           CREATE TABLE conns (device TEXT, pid INTEGER, t INTEGER, ip TEXT, port INTEGER, iptype TEXT, action TEXT);`);
  timed("SQLite: load rows (prepared statements, one transaction)", () => {
    const insertLoad = db.prepare("INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?)");
    const insertConn = db.prepare("INSERT INTO conns VALUES (?, ?, ?, ?, ?, ?, ?)");
    db.transaction(() => {
      for (const e of events) {
        if (e.kind === "image_load") insertLoad.run(e.deviceName, e.initiatingProcessId, e.timeUs, e.fileName, e.initiatingProcessFileName, e.initiatingProcessCommandLine);
        else insertConn.run(e.deviceName, e.initiatingProcessId, e.timeUs, e.remoteIp, e.remotePort, e.remoteIpType, e.actionType);
      }
    })();
  });
  timed("SQLite: index conns(device, pid, t)", () => db.exec("CREATE INDEX conns_process ON conns (device, pid, t)"));
  const crypto = SEED_QUERY_LISTS.cryptoLibraries.map((name) => `'${name}'`).join(",");
  const excluded = [...SEED_QUERY_LISTS.excludedSystemProcesses, ...SEED_QUERY_LISTS.excludedBrowsers].map((name) => `'${name.toLowerCase()}'`).join(",");
  const ports = SEED_QUERY_LISTS.standardPorts.join(",");
  const from = asOfUs - 24 * 3600 * 1_000_000;
  const query = db.prepare(`
    SELECT l.device, l.process, l.cmd, count(*) AS connections, min(c.t), max(c.t)
    FROM loads l JOIN conns c ON c.device = l.device AND c.pid = l.pid AND c.t BETWEEN l.t AND l.t + 900000000
    WHERE l.t > ${from} AND lower(l.file) IN (${crypto}) AND lower(l.process) NOT IN (${excluded})
      AND c.t > ${from} AND c.action = 'ConnectionSuccess' AND c.iptype = 'Public' AND c.port NOT IN (${ports})
    GROUP BY l.device, l.process, l.cmd`);
  const { result, ms } = timed("SQLite: bare correlation join (the floor)", () => query.all());
  db.close();
  return { ms, groups: result.length };
}

void main();
