import type { Metadata } from "next";
import Link from "next/link";
import { AsOfControl } from "@/components/findings/as-of-control";
import { DetectionStatusNotice } from "@/components/findings/detection-status-notice";
import { DefaultFindingsTable } from "@/components/findings/default-findings-table";
import { SeedFindingsTable } from "@/components/findings/seed-findings-table";
import { accountCan } from "@/lib/auth/roles";
import { findingListQuery } from "@/lib/detection/finding-list";
import { readDetectionSettings, type DetectionRun } from "@/lib/server/detection-settings";
import { detectionModeSchema, listFindingsPage, findingCount } from "@/lib/server/findings-store";
import { detectionStatus } from "@/lib/server/detection-scheduler";
import { requirePageAccount } from "@/lib/server/page-session";
import { assignableUsernames } from "@/lib/server/triage-store";
import { listSavedViews } from "@/lib/server/saved-view-store";
import { builtInViews } from "@/lib/triage/saved-views";
import { SavedViewsBar } from "@/components/findings/saved-views-bar";

export const metadata: Metadata = { title: "Findings" };
export const dynamic = "force-dynamic";

const MODE_TABS = [
  { mode: "default", label: "Corrected detection", href: "/findings" },
  { mode: "kql", label: "Seed KQL (Sentinel parity)", href: "/findings?mode=kql" },
] as const;

export default async function FindingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const account = await requirePageAccount();
  const params = await searchParams;
  const parsedMode = detectionModeSchema.safeParse(params.mode);
  const mode = parsedMode.success ? parsedMode.data : "default";
  const [status, settings] = await Promise.all([detectionStatus(), readDetectionSettings()]);
  const run = status.lastRun;
  const query = findingListQuery(mode, params, account.username);
  const assignees = assignableUsernames();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Findings</h1>
          <p>
            {mode === "kql"
              ? "The seed Sentinel rule reproduced row for row, flaws included: processes that loaded a crypto library and then connected to a public IP on a non-standard port within 15 minutes."
              : `Processes are identified by device, PID, creation time and image name; each connection counts once; beaconing is scored per destination over the whole ${settings.lookbackHours} h lookback.`}
            {settings.labMode && mode === "default" ? " Lab mode is on: loopback and private destinations are included." : ""}
          </p>
        </div>
        <div className="row-actions">
          <Link className="button button-quiet" href={exportHref(mode, params, "json")} prefetch={false}>
            Export JSON
          </Link>
          <Link className="button button-quiet" href={exportHref(mode, params, "csv")} prefetch={false}>
            Export CSV
          </Link>
        </div>
      </div>
      <nav aria-label="Detection mode" className="tabs">
        {MODE_TABS.map((tab) => (
          <Link key={tab.mode} href={tab.href} className="tab" aria-current={tab.mode === mode ? "page" : undefined}>
            {tab.label} <span className="tab-count">{findingCount(run, tab.mode)}</span>
          </Link>
        ))}
      </nav>
      <SavedViewsBar builtIn={builtInViews(new Date())} saved={await listSavedViews(account.username)} />
      <DetectionStatusNotice status={status} />
      <AsOfControl asOf={run?.asOf ?? null} source={run?.asOfSource ?? "newest-event"} canEdit={accountCan(account, "administer")} />
      {run && run.skippedDevices.length > 0 && <SkippedDevicesNotice devices={run.skippedDevices} />}
      {mode === "kql" ? (
        <SeedFindingsTable list={listFindingsPage("kql", query, run)} assignees={assignees} currentUsername={account.username} canEdit={accountCan(account, "edit")} />
      ) : (
        <DefaultFindingsTable list={listFindingsPage("default", query, run)} assignees={assignees} currentUsername={account.username} canEdit={accountCan(account, "edit")} />
      )}
    </>
  );
}

/** The API's JSON or CSV of the list as it is filtered and searched here, every page of it. */
function exportHref(mode: string, params: Record<string, string | string[] | undefined>, format: "json" | "csv"): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (key !== "page" && typeof value === "string") query.set(key, value);
  }
  query.set("mode", mode);
  if (format === "csv") query.set("format", "csv");
  return `/api/findings?${query}`;
}

/** Devices detection could not hold in the server's memory: their absence from the list must not read as "clean". */
function SkippedDevicesNotice({ devices }: { devices: DetectionRun["skippedDevices"] }) {
  const shown = devices.slice(0, 5).map((device) => `${device.deviceName} (${device.events.toLocaleString("en-US")} events)`);
  return (
    <div className="notice notice-error" role="alert">
      <strong>
        {devices.length === 1 ? "1 device was" : `${devices.length} devices were`} not analysed: too many events for detection&apos;s memory.
      </strong>{" "}
      {shown.join(", ")}
      {devices.length > shown.length ? `, and ${devices.length - shown.length} more` : ""}. Start the server with a larger{" "}
      <code>CW_DETECTION_HEAP_MB</code> (see the README), then rerun detection: <em>Apply</em> above, or save the Tuning settings.
    </div>
  );
}
