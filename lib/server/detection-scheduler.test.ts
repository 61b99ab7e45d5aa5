/**
 * Integration: detection runs in real child processes against a throwaway SQLite file. Changes
 * made while a run is in progress coalesce into one more run; a run whose process dies is
 * recorded as failed, keeps the previous results, and is not retried until something changes.
 */
import * as childProcess from "node:child_process";
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Counts the detection processes the scheduler starts, and lets a test kill one.
vi.mock("node:child_process", async (importOriginal) => {
  const original = await importOriginal<typeof childProcess>();
  return { ...original, spawn: vi.fn(original.spawn) };
});

// Lets a test act between the scheduler's read of the generation and its decision.
vi.mock("./detection-settings", async (importOriginal) => {
  const original = await importOriginal<typeof import("./detection-settings")>();
  return { ...original, readRequestedGeneration: vi.fn(original.readRequestedGeneration) };
});

const directory = mkdtempSync(path.join(tmpdir(), "cw-scheduler-"));
process.env.DATABASE_URL = `file:${path.join(directory, "test.db")}`;

let scheduler: typeof import("./detection-scheduler");
let db: typeof import("./db");

const BEACON_CSV = [
  "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,InitiatingProcessCreationTime,RemoteIP,RemotePort,RemoteIPType",
  "2024-05-01T10:00:00Z,ws-1,ImageLoaded,bcrypt.dll,7,implant.exe,2024-05-01T09:59:00Z,,,",
  ...Array.from({ length: 6 }, (_, minute) => `2024-05-01T10:0${minute + 1}:00Z,ws-1,ConnectionSuccess,,7,implant.exe,2024-05-01T09:59:00Z,198.51.100.7,4444,Public`),
].join("\n");

const spawns = () => vi.mocked(childProcess.spawn).mock.results.map((result) => result.value as childProcess.ChildProcess);

async function settled(): Promise<import("./detection-scheduler").DetectionStatus> {
  let status = await scheduler.detectionStatus();
  // Idle, and either current or given up on (a failed run is retried only on the next change).
  for (let waited = 0; (status.state === "running" || (status.pending && !status.failure)) && waited < 60_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await scheduler.detectionStatus();
  }
  return status;
}

beforeAll(async () => {
  childProcess.execFileSync("npx", ["prisma", "migrate", "deploy"], { env: process.env, stdio: "pipe" });
  const ingest = await import("./ingest-upload");
  // Storing it records the first change (generation 1).
  await ingest.ingestTelemetryText("beacon.csv", BEACON_CSV, "api");
  scheduler = await import("./detection-scheduler");
  db = await import("./db");
}, 60_000);

afterAll(async () => {
  await settled();
  await db?.prisma.$disconnect();
  rmSync(directory, { recursive: true, force: true });
});

/** A stand-in detection process the test drives: it says it started, then exits as told, recording a run like the real one. */
function fakeDetectionProcess(): childProcess.ChildProcess {
  const child = new EventEmitter() as childProcess.ChildProcess;
  Object.assign(child, { stderr: new PassThrough(), pid: -1, kill: () => true });
  return child;
}

/** Until restore(), the scheduler starts stand-ins (listed here in order) instead of detection processes. */
function fakeDetectionProcesses(): childProcess.ChildProcess[] & { restore(): void } {
  const realSpawn = vi.mocked(childProcess.spawn).getMockImplementation()!;
  const children: childProcess.ChildProcess[] = [];
  vi.mocked(childProcess.spawn).mockImplementation(() => {
    children.push(fakeDetectionProcess());
    return children.at(-1)!;
  });
  return Object.assign(children, { restore: () => void vi.mocked(childProcess.spawn).mockImplementation(realSpawn) });
}

describe("detection scheduler", () => {
  it("runs detection in a process of its own and records the generation it reflects", async () => {
    const status = await scheduler.requestDetection("everything");
    expect([status.state, status.pending]).toEqual(["running", true]);
    const done = await settled();
    expect(spawns()).toHaveLength(1);
    expect(spawns()[0].pid).not.toBe(process.pid);
    expect(done).toMatchObject({ state: "idle", pending: false, failure: null, progress: null });
    expect(done.lastRun).toMatchObject({ generation: 2, findings: 1, seedFindings: 1 });
  }, 60_000);

  it("coalesces changes: five made while a run is in progress cost one more run, not five", async () => {
    const settings = await import("./detection-settings");
    const children = fakeDetectionProcesses();
    const finish = async (child: childProcess.ChildProcess, generation: number) => {
      await settings.writeDetectionRun({ ...(await settings.readDetectionRun())!, generation });
      child.emit("exit", 0, null);
      await vi.waitFor(async () => expect((await scheduler.detectionStatus()).lastRun?.generation).toBe(generation));
    };
    try {
      await scheduler.requestDetection("everything");
      expect(children).toHaveLength(1);
      children[0].emit("message", { type: "started", runId: "fake-1", generation: 3 });
      children[0].emit("message", { type: "progress", devicesDone: 3, devicesTotal: 8 });
      for (let change = 0; change < 5; change++) await scheduler.requestDetection("everything");
      expect(children).toHaveLength(1);
      expect(await scheduler.detectionStatus()).toMatchObject({ state: "running", pending: true, progress: { devicesDone: 3, devicesTotal: 8 } });
      await finish(children[0], 3);
      // Generations 4 to 8 arrived during the first run: exactly one more run covers them.
      await vi.waitFor(() => expect(children).toHaveLength(2));
      children[1].emit("message", { type: "started", runId: "fake-2", generation: 8 });
      await finish(children[1], 8);
      expect(children).toHaveLength(2);
      expect(await scheduler.detectionStatus()).toMatchObject({ state: "idle", pending: false });
    } finally {
      children.restore();
    }
  });

  it("records a run whose process dies as failed, keeps the previous results, and retries only on the next change", async () => {
    const before = (await scheduler.detectionStatus()).lastRun!;
    const spawnsBefore = spawns().length;
    await scheduler.requestDetection("everything");
    spawns().at(-1)!.kill("SIGKILL");
    const failed = await settled();
    expect(failed.failure).toMatchObject({ generation: 9, reason: "The detection process stopped (SIGKILL)." });
    expect(failed.lastRun).toEqual(before);
    expect(failed.pending).toBe(false);
    // Nothing of the dead run is left beside the previous run's findings.
    const runIds = await db.prisma.finding.findMany({ distinct: ["runId"], select: { runId: true } });
    expect(runIds.map((finding) => finding.runId)).toEqual([before.runId]);
    // No crash loop: nothing starts again by itself.
    await scheduler.startDetectionIfOwed();
    expect(spawns()).toHaveLength(spawnsBefore + 1);

    await scheduler.requestDetection("everything");
    const recovered = await settled();
    expect(spawns()).toHaveLength(spawnsBefore + 2);
    expect(recovered).toMatchObject({ state: "idle", pending: false, failure: null });
    expect(recovered.lastRun).toMatchObject({ generation: 10, findings: 1 });
  }, 60_000);

  it("does not lose a change made while a check is reading, and a process that cannot start does not leave it running", async () => {
    const settings = await import("./detection-settings");
    const children = fakeDetectionProcesses();
    try {
      // A check reads the generation (nothing owed); a change lands and its caller arrives before
      // the check decides: that caller must not just join the check, which read too early.
      const readGeneration = vi.mocked(settings.readRequestedGeneration);
      const realRead = readGeneration.getMockImplementation()!;
      let changeMadeMeanwhile: Promise<void> | null = null;
      readGeneration.mockImplementationOnce(async () => {
        const before = await realRead();
        await settings.bumpRequestedGeneration("everything");
        changeMadeMeanwhile = scheduler.startDetectionIfOwed();
        return before;
      });
      await scheduler.startDetectionIfOwed();
      await changeMadeMeanwhile;
      expect(children).toHaveLength(1);
      expect((await scheduler.detectionStatus()).state).toBe("running");

      // spawn's "error" without an "exit" (no file descriptors left, say) ends the run as failed.
      children[0].emit("error", new Error("spawn EMFILE"));
      await vi.waitFor(async () => expect((await scheduler.detectionStatus()).state).toBe("idle"));
      expect((await scheduler.detectionStatus()).failure).toMatchObject({ generation: 11, reason: "The detection process could not run: spawn EMFILE" });
    } finally {
      children.restore();
    }
  });

  it("runs once for a multi-file upload: each stored file records its change, the last one starts one run covering all", async () => {
    const settings = await import("./detection-settings");
    const ingest = await import("./ingest-upload");
    const children = fakeDetectionProcesses();
    try {
      const before = await settings.readRequestedGeneration();
      // Two files stored with ?detection=later: recorded, nothing started.
      await ingest.ingestTelemetryText("first.csv", BEACON_CSV.replaceAll("ws-1", "ws-2"), "api");
      await ingest.ingestTelemetryText("second.csv", BEACON_CSV.replaceAll("ws-1", "ws-3"), "api");
      expect(children).toHaveLength(0);
      expect(await settings.readRequestedGeneration()).toBe(before + 2);
      // The last file's upload: recorded, then one run starts.
      await ingest.ingestTelemetryText("third.csv", BEACON_CSV.replaceAll("ws-1", "ws-4"), "api");
      await scheduler.startOwedDetection();
      expect(children).toHaveLength(1);
      children[0].emit("message", { type: "started", runId: "fake-3", generation: before + 3 });
      await settings.writeDetectionRun({ ...(await settings.readDetectionRun())!, generation: before + 3 });
      children[0].emit("exit", 0, null);
      await vi.waitFor(async () => expect(await scheduler.detectionStatus()).toMatchObject({ state: "idle", pending: false }));
      expect(children).toHaveLength(1);
    } finally {
      children.restore();
    }
  });
});
