import type { Metadata } from "next";
import Link from "next/link";
import { DetectionStatusNotice } from "@/components/findings/detection-status-notice";
import { FindingsPerDayChart } from "@/components/overview/findings-per-day-chart";
import { CountList, EventName, FindingsPerDayTable, type CountItem } from "@/components/overview/overview-parts";
import { formatTimestamp } from "@/components/ui/format";
import { detectionStatus } from "@/lib/server/detection-scheduler";
import { overviewCounts, TOP_LIMIT, type TopList } from "@/lib/server/overview-store";
import { requirePageAccount } from "@/lib/server/page-session";
import { fillDays, findingsListHref, isFilterableAddress, type OverviewSlice } from "@/lib/triage/overview";
import { OPEN_STATUSES } from "@/lib/triage/triage-filter";
import { STATUS_LABELS } from "@/lib/triage/triage-state";

// Absolute: the root layout's title template applies to segments below it, not to its own page.
export const metadata: Metadata = { title: { absolute: "Overview · Cipherwatch" } };
export const dynamic = "force-dynamic";

/** The landing page: the current run's corrected findings at a glance, every count a link into the list. */
export default async function OverviewPage() {
  await requirePageAccount();
  const status = await detectionStatus();
  const run = status.lastRun;
  const counts = overviewCounts(run);
  const buckets = fillDays(counts.byDay);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Overview</h1>
          <p>
            The corrected detection&apos;s findings in the current run, low severity included. Open means new or investigating. Every count opens the
            findings list it counts.
          </p>
        </div>
      </div>
      <DetectionStatusNotice status={status} />
      {run === null || counts.total === 0 ? (
        <div className="card overview-empty">
          <p>
            <strong>No findings{run === null ? " yet: no detection run has finished." : " in the current detection run."}</strong>{" "}
            <Link href="/upload">Upload Defender exports</Link> to start, or check the <Link href="/allowlists">allowlists and settings</Link>.
          </p>
        </div>
      ) : (
        <>
          <dl className="stats card overview-stats">
            <div>
              <dt>Findings</dt>
              <dd>
                <Link href={findingsListHref({ status: "all" })}>{counts.total.toLocaleString("en-US")}</Link>
              </dd>
            </div>
            <div>
              <dt>Open</dt>
              <dd>
                <Link href={findingsListHref({})}>{counts.open.toLocaleString("en-US")}</Link>
              </dd>
            </div>
            <div>
              <dt>Devices with open findings</dt>
              <dd>{counts.topDevices.distinct.toLocaleString("en-US")}</dd>
            </div>
            <div>
              <dt>Run finished (UTC)</dt>
              <dd className="mono">{formatTimestamp(run.finishedAt)}</dd>
            </div>
          </dl>
          <div className="overview-grid">
            <section className="card overview-card" aria-labelledby="per-day-heading">
              <h2 id="per-day-heading">Findings per day by severity</h2>
              {buckets.length === 0 ? (
                <p className="muted">No finding has a first connection date.</p>
              ) : (
                <>
                  <FindingsPerDayChart buckets={buckets} />
                  <FindingsPerDayTable buckets={buckets} />
                </>
              )}
            </section>
            <section className="card overview-card" aria-labelledby="open-heading">
              <h2 id="open-heading">Open findings</h2>
              <h3 className="subheading">By status</h3>
              <CountList label="Open findings by status" empty="No open findings." items={statusItems(counts.openByStatus)} />
              <h3 className="subheading">By assignee</h3>
              <CountList
                label="Open findings by assignee"
                empty="No open findings."
                items={counts.openByAssignee.map(({ assignee, count }) => ({
                  key: assignee ?? "\u0000unassigned",
                  label: assignee === null ? <span className="muted">Unassigned</span> : assignee,
                  count,
                  slice: { assignee },
                }))}
              />
            </section>
          </div>
          <div className="overview-tops">
            <TopSection id="top-devices" title="Top devices" nounPlural="devices" top={counts.topDevices} slice={(name) => ({ device: name })} />
            <TopSection id="top-processes" title="Top processes" nounPlural="processes" top={counts.topProcesses} slice={(name) => ({ process: name })} />
            <TopSection id="top-destinations" title="Top destinations" nounPlural="remote IPs" top={counts.topDestinations} slice={(name) => (isFilterableAddress(name) ? { destination: name } : null)} mono />
          </div>
        </>
      )}
    </>
  );
}

/** Both open statuses, zeros included: "0 investigating" is news too. */
function statusItems(byStatus: { status: string; count: number }[]): CountItem[] {
  return OPEN_STATUSES.map((status) => ({
    key: status,
    label: STATUS_LABELS[status],
    count: byStatus.find((entry) => entry.status === status)?.count ?? 0,
    slice: { status },
  }));
}

function TopSection({
  id,
  title,
  nounPlural,
  top,
  slice,
  mono = false,
}: {
  id: string;
  title: string;
  nounPlural: string;
  top: TopList;
  /** Null when the list cannot filter on that name. */
  slice: (name: string) => OverviewSlice | null;
  mono?: boolean;
}) {
  const shown = Math.min(top.distinct, TOP_LIMIT);
  return (
    <section className="card overview-card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p className="muted overview-note">
        By open findings{top.distinct > shown ? `: the first ${shown} of ${top.distinct.toLocaleString("en-US")} ${nounPlural}.` : "."}
      </p>
      <CountList
        label={`${title} by open findings`}
        empty="No open findings."
        items={top.entries.map(({ name, count }) => ({
          key: name,
          // Addresses come from the events too: text only, like the names.
          label: mono ? (
            <span className="mono">
              <EventName name={name} />
            </span>
          ) : (
            <EventName name={name} />
          ),
          count,
          // An empty name cannot be filtered on (the list ignores an empty filter): shown, not linked.
          slice: name ? slice(name) : null,
        }))}
      />
    </section>
  );
}
