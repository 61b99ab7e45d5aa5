import "server-only";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import {
  bumpRequestedGeneration,
  discardRun,
  isRunInProgressElsewhere,
  readDetectionFailure,
  readDetectionRun,
  readRequestedGeneration,
  writeDetectionFailure,
  type DetectionChangeScope,
  type DetectionFailure,
  type DetectionRun,
} from "./detection-settings";
import { env } from "./env";
import { isHidingList, type DetectionListName } from "../detection/detection-lists";

/**
 * Detection runs off the request path, in a child process with its own heap: a run that
 * exhausts its memory or crashes costs that process, never the server, and pages keep reading
 * the last complete run meanwhile. Changes coalesce: every change bumps a stored generation, at
 * most one run is in progress, and when it ends one more starts if anything changed since it
 * began, however many changes that was.
 */

/** What the detection process tells the server. */
export type DetectionProcessMessage =
  | { type: "started"; runId: string; generation: number }
  | { type: "progress"; devicesDone: number; devicesTotal: number }
  | { type: "failed"; reason: string };

export interface DetectionStatus {
  /** "running" while a run is in progress in this server. */
  state: "idle" | "running";
  /** A change is not reflected by the last complete run yet (a run is in progress or follows). */
  pending: boolean;
  progress: { devicesDone: number; devicesTotal: number } | null;
  /** The run pages show. */
  lastRun: DetectionRun | null;
  /** The newest attempt, when it failed after the last complete run: the results shown are older. */
  failure: DetectionFailure | null;
}

interface RunInProgress {
  child: ChildProcess;
  runId: string | null;
  generation: number;
  progress: DetectionStatus["progress"];
  failureReason: string | null;
}

// Route handlers may be bundled apart: one scheduler per process, on globalThis.
interface Scheduler {
  current: RunInProgress | null;
  /**
   * The newest generation a run failed at, kept here too: if recording the failure fails (a full
   * disk), the stored record cannot stop a respawn loop, but this can.
   */
  failedGeneration: number;
  /** A check in progress, and whether a change arrived while it ran (it may have read before the change). */
  checking: Promise<void> | null;
  recheck: boolean;
}
const scheduler = ((globalThis as { cipherwatchDetection?: Scheduler }).cipherwatchDetection ??= { current: null, failedGeneration: -1, checking: null, recheck: false });

/** Run from the project folder (every npm script's working directory) through tsx, as the CLI is. */
const DETECTION_PROCESS_ENTRY = path.join(process.cwd(), "lib", "server", "detection-process.ts");

/**
 * Records a change detection must reflect, and what it touched, and starts a run unless one is
 * in progress (which is then followed by one more).
 */
export async function requestDetection(scope: DetectionChangeScope): Promise<DetectionStatus> {
  await bumpRequestedGeneration(scope);
  return startOwedDetection();
}

/**
 * After a change that recorded itself (a dataset completed or deleted: see recordDetectionChange):
 * starts a run unless one is in progress, and answers the status. The earlier files of a
 * multi-file upload skip this, so the batch costs one run started by its last file (or, failing
 * that, by the next status poll); a page polling the status meanwhile may still start one sooner.
 */
export async function startOwedDetection(): Promise<DetectionStatus> {
  await startDetectionIfOwed();
  return detectionStatus();
}

/**
 * Starts a run when the stored generation is ahead of the last complete run and of the last
 * failed attempt (a run that crashed is not retried until something changes: no crash loop),
 * and none is in progress. Called after each change, when a run ends, and when the server starts.
 */
export function startDetectionIfOwed(): Promise<void> {
  if (scheduler.current) return Promise.resolve();
  // One check at a time, so two cannot both start a run; a caller arriving during a check has it
  // run again, as that check may have read the generation before this caller's change.
  if (scheduler.checking) {
    scheduler.recheck = true;
    return scheduler.checking;
  }
  scheduler.checking = (async () => {
    do {
      scheduler.recheck = false;
      await startIfOwed();
    } while (scheduler.recheck && !scheduler.current);
  })().finally(() => (scheduler.checking = null));
  return scheduler.checking;
}

async function startIfOwed(): Promise<void> {
  const [requested, lastRun, failure] = await Promise.all([readRequestedGeneration(), readDetectionRun(), readDetectionFailure()]);
  const covered = Math.max(lastRun?.generation ?? -1, failure?.generation ?? -1, scheduler.failedGeneration);
  if (requested <= covered) return;
  // spawn with an IPC channel rather than fork: Turbopack's build resolves fork's path as a module (vercel/next.js#97952).
  const child = spawn(process.execPath, [`--max-old-space-size=${env.CW_DETECTION_HEAP_MB}`, "--conditions=react-server", "--import", "tsx", DETECTION_PROCESS_ENTRY], {
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  const run: RunInProgress = { child, runId: null, generation: requested, progress: null, failureReason: null };
  scheduler.current = run;
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-4096);
  });
  child.on("message", (message: DetectionProcessMessage) => {
    if (message.type === "started") Object.assign(run, { runId: message.runId, generation: message.generation });
    else if (message.type === "progress") run.progress = { devicesDone: message.devicesDone, devicesTotal: message.devicesTotal };
    else run.failureReason = message.reason;
  });
  // A process that could not start (out of file descriptors, say) reports an error and may never exit.
  let ended = false;
  const end = (reason: string | null) => {
    if (ended) return;
    ended = true;
    void runEnded(run, reason);
  };
  child.once("error", (error) => end(`The detection process could not run: ${error.message}`));
  child.once("exit", (code, signal) => end(code === 0 ? null : (run.failureReason ?? describeExit(code, signal, stderrTail))));
}

/**
 * After a tuning list changed: an excluded-name list is applied as findings are read, so the
 * findings already reflect it (the status is only reported); any other list is computed with,
 * so detection reruns.
 */
export function detectionAfterListChange(list: DetectionListName): Promise<DetectionStatus> {
  return isHidingList(list) ? detectionStatus() : requestDetection("everything");
}

/** Records a failed run (reason not null), then checks whether another run is owed. */
async function runEnded(run: RunInProgress, failureReason: string | null): Promise<void> {
  try {
    if (failureReason !== null) {
      console.error(`Detection run failed: ${failureReason}`);
      scheduler.failedGeneration = Math.max(scheduler.failedGeneration, run.generation);
      await writeDetectionFailure({ generation: run.generation, at: new Date().toISOString(), reason: failureReason });
      // A run that died mid-way may have written some findings under its id: never shown, removed here.
      if (run.runId !== null) await discardRun(run.runId);
    }
  } catch (error) {
    // The next finished run removes what is left; the scheduler must not stay stuck on this one.
    console.error("Recording the failed detection run failed:", error);
  } finally {
    scheduler.current = null;
  }
  await startDetectionIfOwed().catch((error: unknown) => console.error("Starting a detection run failed:", error));
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  if (/heap out of memory|Reached heap limit/i.test(stderrTail)) {
    return `The detection process ran out of memory (its heap is limited to ${env.CW_DETECTION_HEAP_MB} MiB; raise CW_DETECTION_HEAP_MB).`;
  }
  const lastLine = stderrTail.trim().split("\n").at(-1)?.trim();
  return `The detection process stopped (${signal ?? `exit code ${code}`})${lastLine ? `: ${lastLine.slice(0, 300)}` : ""}.`;
}

export async function detectionStatus(): Promise<DetectionStatus> {
  const [requested, lastRun, failure] = await Promise.all([readRequestedGeneration(), readDetectionRun(), readDetectionFailure()]);
  const covered = lastRun?.generation ?? -1;
  const current = scheduler.current;
  const owed = requested > Math.max(covered, failure?.generation ?? -1);
  // A change this server did not make (the CLI's, cut off before its own run finished) is still
  // owed: pages that poll this status start it rather than wait for ever, unless that run is
  // still going in its own process.
  if (owed && !current && !(await isRunInProgressElsewhere())) {
    void startDetectionIfOwed().catch((error: unknown) => console.error("Starting a detection run failed:", error));
  }
  return {
    state: current ? "running" : "idle",
    pending: owed || current !== null,
    progress: current?.progress ?? null,
    lastRun,
    failure: failure !== null && failure.generation > covered ? failure : null,
  };
}
