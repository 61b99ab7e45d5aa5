/**
 * Server memory during a large upload: the production server (`next start`) on a throwaway
 * database, a synthetic CSV of about 1 GB streamed to POST /api/ingest as the raw body (as the
 * upload page sends it), and the server's resident memory read from /proc: idle, and its peak when
 * it answers (which includes the detection rerun after the upload). The server is started with
 * package.json's own start command, so its heap limits are the ones a deployment gets
 * (CW_SERVER_HEAP_MB changes the old-space limit for both). Linux only; builds first when there
 * is no production build.
 */
import { execFileSync, spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fleetCsvLines, writeLines } from "./ingest-bench";

// 1,040 devices x 5,000 events = 5.2M events, about 1 GB of CSV (CW_BENCH_UPLOAD_DEVICES scales it).
const DEVICES = Number(process.env.CW_BENCH_UPLOAD_DEVICES ?? 1040);
const PORT = 3299;

/** Resident memory now (VmRSS) or the process's peak so far (VmHWM), in MiB. */
function memoryMiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function upload(file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sending = request({ port: PORT, method: "POST", path: "/api/ingest", headers: { "content-type": "text/csv", "x-file-name": path.basename(file) } }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text: string) => (body += text));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sending.on("error", reject);
    createReadStream(file).pipe(sending);
  });
}

export async function runServerMemoryBench(): Promise<void> {
  console.log("== Server memory during an upload (next start, POST /api/ingest) ==");
  if (!existsSync(".next/BUILD_ID")) execFileSync("npx", ["next", "build"], { stdio: "inherit" });
  const directory = mkdtempSync(path.join(tmpdir(), "cw-bench-server-"));
  const env = { ...process.env, DATABASE_URL: `file:${path.join(directory, "server.db")}`, PORT: String(PORT) };
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env, stdio: "pipe" });
  const file = path.join(directory, "fleet.csv");
  const bytes = await writeLines(file, fleetCsvLines({ devices: DEVICES, processesPerDevice: 50, loadsPerProcess: 50, connectionsPerProcess: 50 }));

  // `exec` makes the shell become the server, so its pid is the server's (npm would stay a parent).
  const startCommand = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start;
  const server = spawn("sh", ["-c", `exec ${startCommand}`], { env, stdio: "ignore" });
  try {
    for (let waited = 0; ; waited += 250) {
      const ready = await fetch(`http://localhost:${PORT}/api/datasets`).then((response) => response.ok, () => false);
      if (ready) break;
      if (waited > 60_000) throw new Error("the server did not start within 60 s");
      await sleep(250);
    }
    const idle = memoryMiB(server.pid!, "VmRSS");
    const started = performance.now();
    const answer = await upload(file);
    const peak = memoryMiB(server.pid!, "VmHWM");
    const seconds = (performance.now() - started) / 1000;
    const result = JSON.parse(answer.body) as { accepted?: number };
    console.log(`upload: ${(bytes / 1048576).toFixed(0)} MiB CSV, HTTP ${answer.status}, ${result.accepted?.toLocaleString("en-US")} events stored; answered after ${seconds.toFixed(1)} s (storing and the detection rerun)`);
    console.log(`server resident memory: ${idle.toFixed(0)} MiB idle before the upload, peak ${peak.toFixed(0)} MiB (VmHWM; target: at most 300 MiB; started as \`${startCommand}\`)`);
  } finally {
    server.kill();
    rmSync(directory, { recursive: true, force: true });
  }
}
