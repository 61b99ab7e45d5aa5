/**
 * The production server (see bench-server) under a large upload and a detection run: a
 * synthetic CSV of about 1 GB streamed to POST /api/ingest as the raw body (as the upload page
 * sends it), the server's resident memory read from /proc (idle, and its peak when the upload is
 * stored), how long detection takes after it (in its own process), and the latency of the
 * Findings page while detection is idle and while a full rerun is in progress. Linux only.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { detectionStatus, percentile, postFile, startBenchServer, timedFetch, waitForDetectionSettled } from "./bench-server";
import { fleetCsvLines, writeLines } from "./ingest-bench";

// 200 devices x 5,000 events = 1M events of every Defender column, about 1 GB of CSV (CW_BENCH_UPLOAD_DEVICES scales it).
const DEVICES = Number(process.env.CW_BENCH_UPLOAD_DEVICES ?? 200);
const PORT = 3299;
const DETECTION_TIMEOUT_MS = 30 * 60_000;
const IDLE_PAGE_SAMPLES = 50;
// Bounds the sampling if a run never ends; a run over the full fleet takes far fewer.
const MAX_SAMPLES_DURING_RUN = 10_000;

/** Resident memory now (VmRSS) or the process's peak so far (VmHWM), in MiB. */
function memoryMiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

/** GET /findings, timed to its last byte; throws unless it answers 200, so a broken page is never timed as a fast one. */
async function findingsPageMs(baseUrl: string): Promise<number> {
  const answer = await timedFetch(`${baseUrl}/findings`);
  if (answer.status !== 200 || answer.failure) throw new Error(`GET /findings answered HTTP ${answer.status}${answer.failure ? `: ${answer.failure}` : ""}`);
  return answer.ms;
}

export async function runServerMemoryBench(): Promise<void> {
  console.log("== Server memory during an upload, page latency during detection (next start, POST /api/ingest) ==");
  const server = await startBenchServer({ port: PORT, tempPrefix: "cw-bench-server-" });
  try {
    const file = path.join(server.directory, "fleet.csv");
    const bytes = await writeLines(file, fleetCsvLines({ devices: DEVICES, processesPerDevice: 50, loadsPerProcess: 50, connectionsPerProcess: 50 }));
    const idle = memoryMiB(server.pid, "VmRSS");
    const answer = await postFile(server.baseUrl, file);
    const peak = memoryMiB(server.pid, "VmHWM");
    const result = JSON.parse(answer.body) as { accepted?: number };
    console.log(
      `upload: ${(bytes / 1048576).toFixed(0)} MiB CSV, HTTP ${answer.status}, ${result.accepted?.toLocaleString("en-US")} events stored; ` +
        `answered after ${(answer.ms / 1000).toFixed(1)} s (storing only: detection runs after, in its own process)`,
    );
    console.log(
      `server resident memory: ${idle.toFixed(0)} MiB idle before the upload, peak ${peak.toFixed(0)} MiB when it answered ` +
        `(VmHWM; target: at most 300 MiB; started as \`${server.startCommand}\`)`,
    );
    const afterUpload = await waitForDetectionSettled(server.baseUrl, DETECTION_TIMEOUT_MS);
    const uploadRun = afterUpload.status.lastRun;
    console.log(
      `detection after the upload: done ${(afterUpload.ms / 1000).toFixed(1)} s after the answer (idle, nothing pending), ` +
        `${uploadRun?.findings.toLocaleString("en-US")} default / ${uploadRun?.seedFindings.toLocaleString("en-US")} seed findings`,
    );

    const idleMs: number[] = [];
    for (let sample = 0; sample < IDLE_PAGE_SAMPLES; sample++) idleMs.push(await findingsPageMs(server.baseUrl));
    // Saving the settings unchanged reruns detection over everything stored.
    const settings = (await timedFetch(`${server.baseUrl}/api/settings`)).body;
    const rerunStarted = performance.now();
    const saved = await timedFetch(`${server.baseUrl}/api/settings`, { method: "PUT", headers: { "content-type": "application/json" }, body: settings });
    if (saved.status !== 200) throw new Error(`PUT /api/settings answered HTTP ${saved.status}: ${saved.body}`);
    const duringRunMs: number[] = [];
    // A sample counts when the run was in progress as it began.
    while (duringRunMs.length < MAX_SAMPLES_DURING_RUN && (await detectionStatus(server.baseUrl)).state === "running") {
      duringRunMs.push(await findingsPageMs(server.baseUrl));
    }
    const rerun = await waitForDetectionSettled(server.baseUrl, DETECTION_TIMEOUT_MS);
    const rerunSeconds = (performance.now() - rerunStarted) / 1000;
    const duringRunP95 = duringRunMs.length > 0 ? percentile(duringRunMs, 95).toFixed(0) : "n/a";
    console.log(`page latency p95: ${percentile(idleMs, 95).toFixed(0)} ms idle, ${duringRunP95} ms during a full detection run (${duringRunMs.length} samples)`);
    console.log(
      `  (GET /findings one at a time, ${idleMs.length} samples while idle; the full rerun took ${rerunSeconds.toFixed(1)} s` +
        `${rerun.status.failure ? ` and failed: ${rerun.status.failure.reason}` : ""})`,
    );
  } finally {
    await server.stop();
  }
}
