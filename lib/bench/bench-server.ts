/**
 * The production server for benchmarks and load tests: built if needed, started with
 * package.json's own start command (so with a deployment's heap limits) on 127.0.0.1 only, on a
 * throwaway database in a temp dir, and stopped with its detection process. Plus what both the
 * memory bench and the load test need around it: waiting for detection, timed requests,
 * percentiles.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const HOST = "127.0.0.1";

const BENCH_ACCOUNT = { username: "bench", password: "bench password only for this throwaway database" };

/**
 * The signed-in admin's cookie and the Origin its browser would send, on every request the bench
 * makes: one server per bench process, so kept here rather than threaded through every call.
 */
let sessionHeaders: Record<string, string> = {};

async function signInBenchAccount(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(BENCH_ACCOUNT) });
  if (!response.ok) throw new Error(`signing in answered HTTP ${response.status}: ${await response.text()}`);
  const cookie = response.headers.getSetCookie().map((header) => header.split(";")[0]).join("; ");
  sessionHeaders = { cookie, origin: baseUrl };
}

export interface BenchServer {
  baseUrl: string;
  /** The server's own pid (the shell execs into it). */
  pid: number;
  /** Temp dir holding the database and the server's output; removed by stop. */
  directory: string;
  databaseFile: string;
  /** The server's stderr, its detection processes' included. */
  stderrFile: string;
  startCommand: string;
  /** Ends the server and its detection process, then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Something already answering on the port would be measured instead of our server. */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startBenchServer({ port, tempPrefix }: { port: number; tempPrefix: string }): Promise<BenchServer> {
  if (!existsSync(".next/BUILD_ID")) execFileSync("npx", ["next", "build"], { stdio: "inherit" });
  if (await portInUse(port)) throw new Error(`port ${port} on ${HOST} is already in use`);
  const directory = mkdtempSync(path.join(tmpdir(), tempPrefix));
  const databaseFile = path.join(directory, "server.db");
  const stderrFile = path.join(directory, "server.stderr.log");
  const env = { ...process.env, DATABASE_URL: `file:${databaseFile}`, PORT: String(port) };
  const startCommand = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start;

  let serverPid: number | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;
  // Synchronous, so it also runs from an exit handler (Ctrl-C, a thrown error).
  const stopNow = (signal: NodeJS.Signals) => {
    if (serverPid !== undefined) {
      try {
        // The server leads its own process group: this reaches its detection process too.
        process.kill(-serverPid, signal);
      } catch {
        // Already gone.
      }
    }
  };
  const cleanUpOnExit = () => {
    stopNow("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  };
  const exitOnSignal = () => process.exit(130);
  process.once("exit", cleanUpOnExit);
  process.once("SIGINT", exitOnSignal);
  process.once("SIGTERM", exitOnSignal);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    stopNow("SIGTERM");
    const exitedInTime = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!exitedInTime) stopNow("SIGKILL");
    await exited;
    rmSync(directory, { recursive: true, force: true });
    process.off("exit", cleanUpOnExit);
    process.off("SIGINT", exitOnSignal);
    process.off("SIGTERM", exitOnSignal);
  };

  try {
    execFileSync("npx", ["prisma", "migrate", "deploy"], { env, stdio: "pipe" });
    execFileSync("npm", ["run", "-s", "cw", "--", "user", "create", "--username", BENCH_ACCOUNT.username, "--role", "admin", "--password-stdin"], { env, input: BENCH_ACCOUNT.password, stdio: ["pipe", "ignore", "inherit"] });
    // `exec` makes the shell become the server, so its pid is the server's (npm would stay a parent);
    // detached gives it a process group of its own, which stop ends as a whole.
    const output = [openSync(path.join(directory, "server.stdout.log"), "w"), openSync(stderrFile, "w")];
    const server = spawn("sh", ["-c", `exec ${startCommand} --hostname ${HOST}`], { env, detached: true, stdio: ["ignore", ...output] });
    // The server has its own copies of the descriptors.
    for (const descriptor of output) closeSync(descriptor);
    serverPid = server.pid;
    let running = true;
    exited = new Promise((resolve) => server.once("exit", () => resolve()));
    void exited.then(() => (running = false));
    const baseUrl = `http://${HOST}:${port}`;
    for (let waited = 0; ; waited += 250) {
      if (!running) throw new Error(`the server exited while starting: ${readFileSync(stderrFile, "utf8").trim().slice(-2000)}`);
      const ready = await fetch(`${baseUrl}/login`).then((response) => response.ok, () => false);
      if (ready) break;
      if (waited > 60_000) throw new Error("the server did not start within 60 s");
      await sleep(250);
    }
    await signInBenchAccount(baseUrl);
    return { baseUrl, pid: server.pid!, directory, databaseFile, stderrFile, startCommand, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface DetectionStatus {
  state: "idle" | "running";
  pending: boolean;
  progress: { devicesDone: number; devicesTotal: number } | null;
  lastRun: { runId: string; findings: number; seedFindings: number; generation: number } | null;
  failure: { generation: number; at: string; reason: string } | null;
}

export async function detectionStatus(baseUrl: string): Promise<DetectionStatus> {
  const response = await fetch(`${baseUrl}/api/detection`, { headers: sessionHeaders, signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`GET /api/detection answered HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as DetectionStatus;
}

/** Polls until no run is in progress and none is owed; the time that took and the final status. */
export async function waitForDetectionSettled(baseUrl: string, timeoutMs: number): Promise<{ ms: number; status: DetectionStatus }> {
  const started = performance.now();
  for (;;) {
    const status = await detectionStatus(baseUrl);
    const ms = performance.now() - started;
    if (status.state === "idle" && !status.pending) return { ms, status };
    if (ms > timeoutMs) {
      throw new Error(`detection did not settle within ${(timeoutMs / 1000).toFixed(0)} s: state ${status.state}, pending ${status.pending}, progress ${JSON.stringify(status.progress)}`);
    }
    await sleep(200);
  }
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface TimedAnswer {
  /** HTTP status, or 0 when no answer came (connection refused or reset, timeout). */
  status: number;
  ms: number;
  body: string;
  /** Why the answer is incomplete: no answer at all, or a body cut off after the status. */
  failure?: string;
}

/** A request timed until its whole body is read (a streamed body can still fail after a 200). */
export async function timedFetch(url: string, init: RequestInit = {}, timeoutMs = 60_000): Promise<TimedAnswer> {
  const started = performance.now();
  let status = 0;
  try {
    const response = await fetch(url, { ...init, headers: { ...sessionHeaders, ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    const body = await response.text();
    return { status, ms: performance.now() - started, body };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}` : String(error);
    return { status, ms: performance.now() - started, body: "", failure: reason };
  }
}

/** Streams a file as the raw body of POST /api/ingest, as the upload page sends it. */
export function postFile(baseUrl: string, file: string, timeoutMs = 30 * 60_000): Promise<TimedAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const answer = (status: number, body: string, failure?: string) => resolve({ status, ms: performance.now() - started, body, failure });
    const sending = request(
      `${baseUrl}/api/ingest`,
      { method: "POST", headers: { ...sessionHeaders, "content-type": "text/csv", "x-file-name": path.basename(file) }, timeout: timeoutMs },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (text: string) => (body += text));
        response.on("end", () => answer(response.statusCode ?? 0, body));
        response.on("error", (error) => answer(response.statusCode ?? 0, body, error.message));
      },
    );
    sending.on("timeout", () => sending.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    sending.on("error", (error) => answer(0, "", error.message));
    createReadStream(file).pipe(sending);
  });
}
