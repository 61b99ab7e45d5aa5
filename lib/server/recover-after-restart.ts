import "server-only";
import { cleanUpInterruptedDatasets } from "./dataset-store";
import { startDetectionIfOwed } from "./detection-scheduler";

/** Settles what the last server process left unfinished (see instrumentation.ts). */
export async function recoverAfterRestart(): Promise<void> {
  const interrupted = await cleanUpInterruptedDatasets();
  if (interrupted > 0) console.log(`Marked ${interrupted} interrupted upload(s) failed and removed their events.`);
  await startDetectionIfOwed();
}
