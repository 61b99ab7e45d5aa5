/**
 * The server as an attacker or a busy team meets it: a small legal file whose seed-mode join
 * has millions of pairs, eight uploads at once beside page views and tuning edits, and SIGKILLs
 * in the middle of an upload and of a detection run. Each test leaves the store as it found it.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { E2E_ACCOUNTS, E2E_DATABASE_URL, E2E_DIR } from "./e2e-paths";

const E2E_DATABASE_FILE = E2E_DATABASE_URL.slice("file:".length);
const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";

test.describe.configure({ mode: "serial" });

/** Waits until detection reflects every change so far (or gave up on one), and answers its status. */
async function detectionSettled(request: APIRequestContext) {
  let status: { state: string; pending: boolean; failure: unknown; lastRun: { runId: string; generation: number } | null } | undefined;
  await expect
    .poll(
      async () => {
        status = await (await request.get("/api/detection")).json();
        return status!.state === "idle" && !status!.pending;
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe(true);
  return status!;
}

function storedEventCount(databaseFile = E2E_DATABASE_FILE): number {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM "TelemetryEvent"`).pluck().get() as number;
  } finally {
    db.close();
  }
}

async function deleteDatasets(request: APIRequestContext, ids: string[]) {
  for (const id of ids) expect((await request.delete(`/api/datasets/${id}`)).status()).toBe(200);
}

test("a 1.7 MB export with 4.5 million (load, connection) pairs: the server stays up and answers Kusto's count", async ({ request }) => {
  // 3,000 loads of bcrypt.dll and 3,000 connections of one process, a load and a connection every
  // 250 ms: all within 15 minutes, so each load pairs with every connection at or after it.
  const start = Date.parse("2026-11-23T10:00:00Z");
  const rows: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const at = new Date(start + i * 250).toISOString();
    rows.push(`${at},explode-01,ImageLoaded,bcrypt.dll,4242,explode.exe,,,`);
    rows.push(`${at},explode-01,ConnectionSuccess,,4242,explode.exe,198.51.100.77,4444,Public`);
  }
  const file = [HEADER, ...rows].join("\n");
  expect(file.length).toBeGreaterThan(300_000);
  const upload = await request.post("/api/ingest", { headers: { "x-file-name": "pair-explosion.csv" }, data: file });
  expect(upload.status()).toBe(201);
  const { datasetId, accepted } = await upload.json();
  expect(accepted).toBe(6000);

  const status = await detectionSettled(request);
  expect(status.failure).toBeNull();
  const seedRows = (await (await request.get("/api/findings?mode=kql")).json()) as { DeviceName: string; ConnectionCount: number; DurationMinutes: number }[];
  // n(n+1)/2 pairs for n = 3,000.
  expect(seedRows.filter((row) => row.DeviceName === "explode-01").map((row) => [row.ConnectionCount, row.DurationMinutes])).toEqual([[4_501_500, 12]]);
  const defaultFindings = (await (await request.get("/api/findings?severity=all")).json()) as { process: { deviceName: string }; connections: { count: number; inSeedWindow: number } }[];
  expect(defaultFindings.filter((finding) => finding.process.deviceName === "explode-01").map((finding) => finding.connections)).toMatchObject([{ count: 3000, inSeedWindow: 3000 }]);

  await deleteDatasets(request, [datasetId]);
  await detectionSettled(request);
});

test("eight uploads at once, beside page views, tuning edits and reruns: every row stored once, no 5xx", async ({ request }) => {
  const storedBefore = storedEventCount();
  // Eight files of 6,000 rows (more than one batch each); each repeats 500 rows of the file before it.
  const rowsOf = (file: number) =>
    Array.from({ length: 6000 }, (_, i) => `2026-11-22T0${file % 8}:00:00.${String(i).padStart(7, "0")}Z,busy-${file},ImageLoaded,m${i}.dll,${100 + (i % 50)},tool.exe,,,`);
  const files = Array.from({ length: 8 }, (_, file) => [HEADER, ...(file > 0 ? rowsOf(file - 1).slice(0, 500) : []), ...rowsOf(file)].join("\n"));
  const uploads = files.map((data, file) => request.post("/api/ingest", { headers: { "x-file-name": `busy-${file}.csv` }, data }));
  const statuses: number[] = [];
  const traffic = (async () => {
    for (let round = 0; round < 6; round++) {
      for (const page of ["/findings", "/findings?mode=kql", "/datasets", "/allowlists", "/api/detection", "/api/datasets"]) statuses.push((await request.get(page)).status());
      const added = await request.post("/api/allowlists", { data: { list: "excludedSystemProcesses", value: `busy-${round}.exe` } });
      statuses.push(added.status());
      statuses.push((await request.delete(`/api/allowlists/${(await added.json()).entry.id}`)).status());
      statuses.push((await request.put("/api/detection", { data: { asOf: null } })).status());
    }
  })();
  const answers = await Promise.all(uploads);
  await traffic;
  expect(answers.map((answer) => answer.status())).toEqual(Array(8).fill(201));
  expect(statuses.filter((status) => status >= 400)).toEqual([]);
  const results = (await Promise.all(answers.map((answer) => answer.json()))) as { datasetId: string; accepted: number; duplicates: number }[];
  // 48,000 distinct rows; 3,500 repeats, stored once (some uploads may meet a repeat before the row it repeats is stored).
  expect(results.reduce((sum, result) => sum + result.accepted, 0)).toBe(48_000);
  expect(results.reduce((sum, result) => sum + result.duplicates, 0)).toBe(3500);
  expect(storedEventCount()).toBe(storedBefore + 48_000);
  await detectionSettled(request);

  await deleteDatasets(request, results.map((result) => result.datasetId));
  expect(storedEventCount()).toBe(storedBefore);
  await detectionSettled(request);
});

/** A second server on its own database, started as `npm start` starts it, so it can be killed. */
class KillableServer {
  readonly directory = path.join(E2E_DIR, "killable");
  readonly databaseFile = path.join(this.directory, "killable.db");
  readonly port = 3218;
  private process: ChildProcess | null = null;

  prepare() {
    rmSync(this.directory, { recursive: true, force: true });
    mkdirSync(this.directory, { recursive: true });
    const env = { ...process.env, DATABASE_URL: `file:${this.databaseFile}` };
    execFileSync("npx", ["prisma", "migrate", "deploy"], { env, stdio: "pipe" });
    const { username, password } = E2E_ACCOUNTS.admin;
    execFileSync("npm", ["run", "-s", "cw", "--", "user", "create", "--username", username, "--role", "admin", "--password-stdin"], { env, input: password, stdio: ["pipe", "ignore", "inherit"] });
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    const startCommand = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start;
    // exec: the shell becomes the server, so a signal reaches the server itself.
    this.process = spawn("sh", ["-c", `exec ${startCommand} -H 127.0.0.1 -p ${this.port}`], {
      env: { ...process.env, DATABASE_URL: `file:${this.databaseFile}`, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: "ignore",
    });
    await expect.poll(() => fetch(`${this.url}/login`).then((response) => response.ok, () => false), { timeout: 60_000, intervals: [250] }).toBe(true);
  }

  async kill() {
    const exited = new Promise((resolve) => this.process!.once("exit", resolve));
    this.process!.kill("SIGKILL");
    await exited;
    this.process = null;
  }

  stop() {
    this.process?.kill("SIGTERM");
  }

  query<T>(sql: string): T[] {
    const db = new Database(this.databaseFile, { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
}

test("SIGKILL during an upload and during a detection run: on restart nothing partial remains and the run is redone", async ({ playwright }) => {
  test.setTimeout(180_000);
  const server = new KillableServer();
  server.prepare();
  // Its own database, its own accounts: not the main server's session.
  const api = await playwright.request.newContext({ baseURL: server.url, storageState: undefined, extraHTTPHeaders: { origin: server.url } });
  try {
    // Inside the try: a server that never became ready is still stopped, not left on the port.
    await server.start();
    expect((await api.post("/api/session", { data: E2E_ACCOUNTS.admin })).status()).toBe(200);
    const { secret } = (await (await api.post("/api/tokens", { data: { name: "killed-upload" } })).json()) as { secret: string };
    // 20 processes loading bcrypt.dll and connecting out, turn about: each is a finding.
    const rows = Array.from({ length: 11_000 }, (_, i) => {
      const at = `2026-11-21T00:00:00.${String(i).padStart(7, "0")}Z`;
      const process = `${7000 + (i % 20)},k${i % 20}.exe`;
      return i % 40 < 20 ? `${at},kill-01,ImageLoaded,bcrypt.dll,${process},,,` : `${at},kill-01,ConnectionSuccess,,${process},198.51.100.9,4444,Public`;
    });
    // Part of an upload: the first batch (5,000 events) commits, then the request stays open.
    const uploadId = "e2e-killed-upload-0001";
    const sending = httpRequest({ host: "127.0.0.1", port: server.port, method: "POST", path: "/api/ingest", headers: { "content-type": "text/csv", "x-file-name": "killed.csv", "x-upload-id": uploadId, authorization: `Bearer ${secret}` } });
    sending.on("error", () => {});
    sending.write(`${HEADER}\n${rows.slice(0, 6000).join("\n")}\n`);
    await expect.poll(async () => ((await (await api.get(`/api/uploads/${uploadId}`)).json()) as { stored?: number }).stored ?? 0, { timeout: 30_000 }).toBe(5000);
    expect(server.query<{ n: number }>(`SELECT count(*) AS n FROM "TelemetryEvent"`)).toEqual([{ n: 5000 }]);
    await server.kill();

    await server.start();
    const datasets = (await (await api.get("/api/datasets")).json()) as { fileName: string; status: string }[];
    expect(datasets.map((dataset) => [dataset.fileName, dataset.status])).toEqual([["killed.csv", "failed"]]);
    expect(server.query<{ n: number }>(`SELECT count(*) AS n FROM "TelemetryEvent"`)).toEqual([{ n: 0 }]);
    // It can be uploaded again, whole.
    const again = await api.post("/api/ingest", { headers: { "x-file-name": "killed.csv" }, data: [HEADER, ...rows].join("\n") });
    expect(again.status()).toBe(201);
    expect((await again.json()).accepted).toBe(11_000);
    const settled = await detectionSettled(api);
    expect(settled.lastRun).toMatchObject({ findings: 20, seedFindings: 20 });

    // A rerun, killed with the server while it runs.
    const rerun = await api.put("/api/detection", { data: { asOf: null } });
    expect(rerun.status()).toBe(200);
    expect(await rerun.json()).toMatchObject({ state: "running", pending: true });
    await server.kill();
    await server.start();
    const redone = await detectionSettled(api);
    expect(redone.failure).toBeNull();
    expect(redone.lastRun).toMatchObject({ generation: settled.lastRun!.generation + 1, findings: 20, seedFindings: 20 });
    // Only the current run's findings remain, and no run is marked in progress (once the killed
    // server's detection process, which outlives it briefly, has noticed and cleaned up).
    await expect
      .poll(
        () => ({
          findingRuns: server.query<{ runId: string }>(`SELECT DISTINCT "runId" FROM "Finding"`).map((row) => row.runId),
          runsInProgress: server.query(`SELECT "key" FROM "Setting" WHERE "key" LIKE 'detection.running.%'`),
        }),
        { timeout: 30_000 },
      )
      .toEqual({ findingRuns: [redone.lastRun!.runId], runsInProgress: [] });
  } finally {
    await api.dispose();
    server.stop();
  }
});
