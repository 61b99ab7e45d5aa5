import { AutoRefresh } from "@/components/ui/auto-refresh";
import { formatTimestamp } from "@/components/ui/format";
import type { DetectionStatus } from "@/lib/server/detection-scheduler";

/**
 * Says when the list is older than the latest changes: a run in progress (with its progress) or
 * queued, or the last attempt failed. The page re-renders every second until the run is done.
 */
export function DetectionStatusNotice({ status }: { status: DetectionStatus }) {
  const shown = status.lastRun ? `the run of ${formatTimestamp(status.lastRun.finishedAt)} UTC` : "no run yet";
  return (
    <>
      <AutoRefresh active={status.pending} intervalMs={1000} />
      {status.pending && (
        <p className="notice" role="status">
          <strong>
            {status.state === "running"
              ? `Detection is running${status.progress ? ` (${status.progress.devicesDone.toLocaleString("en-US")} of ${status.progress.devicesTotal.toLocaleString("en-US")} devices)` : ""}.`
              : "A detection run is queued."}
          </strong>{" "}
          This list shows {shown}; it updates when the run finishes.
        </p>
      )}
      {status.failure && (
        <p className="notice notice-error" role="alert">
          <strong>The last detection run failed</strong> at {formatTimestamp(status.failure.at)} UTC: {status.failure.reason} This list shows {shown}. Any change (an upload, a tuning edit) runs detection again.
        </p>
      )}
    </>
  );
}
