/**
 * Entry point of the process a detection run happens in (started by detection-scheduler with
 * its own heap limit): it runs detection once and reports to the server over IPC. A crash here,
 * out-of-memory included, costs this process only.
 */
import { runDetection } from "./run-detection";
import type { DetectionProcessMessage } from "./detection-scheduler";

/**
 * Tells the server; a server that went away (killed, restarted) no longer wants this run, so it
 * stops here and the run removes what it wrote. The restarted server runs detection again.
 */
function send(message: DetectionProcessMessage): void {
  if (!process.connected) throw new Error("The server that started this detection run has stopped.");
  process.send?.(message);
}

runDetection({
  onStart: (runId, generation) => send({ type: "started", runId, generation }),
  onProgress: (devicesDone, devicesTotal) => send({ type: "progress", devicesDone, devicesTotal }),
}).then(
  () => process.disconnect?.(),
  (error: unknown) => {
    process.exitCode = 1;
    if (!process.connected) return;
    process.send?.({ type: "failed", reason: error instanceof Error ? error.message : String(error) } satisfies DetectionProcessMessage);
    process.disconnect?.();
  },
);
