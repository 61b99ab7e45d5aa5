import type { Metadata } from "next";
import { AllowlistEditor } from "@/components/allowlists/allowlist-editor";
import { DetectionSettingsForm } from "@/components/allowlists/detection-settings-form";
import { SuppressionsEditor } from "@/components/allowlists/suppressions-editor";
import { TuningTransfer } from "@/components/allowlists/tuning-transfer";
import { EMPTY_DRAFT, type SuppressionDraft } from "@/lib/tuning/suppression-draft";
import { readDetectionRun, readDetectionSettings } from "@/lib/server/detection-settings";
import { findingIdSchema, getFinding, type FindingDetail } from "@/lib/server/findings-store";
import { listSuppressions } from "@/lib/server/suppression-store";
import { narrowestConditions } from "@/lib/tuning/suppression";
import { suppressibleDefaultFinding, suppressibleSeedRow } from "@/lib/tuning/suppressible-finding";
import { accountCan } from "@/lib/auth/roles";
import { DETECTION_LIST_NAMES } from "@/lib/detection/detection-lists";
import { listAllowlistEntries } from "@/lib/server/allowlist-store";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Tuning" };
export const dynamic = "force-dynamic";

export default async function AllowlistsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const account = await requirePageAccount();
  const canEditLists = accountCan(account, "edit");
  const [entries, settings, run] = await Promise.all([listAllowlistEntries(), readDetectionSettings(), readDetectionRun()]);
  const suppress = findingIdSchema.safeParse((await searchParams).suppress);
  const suppressed = suppress.success ? await getFinding(suppress.data, run) : null;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Tuning</h1>
          <p>
            Suppressions that take findings out of the queue; the thresholds of the corrected detection; and the four lists of the seed
            query (both modes use them), starting from its defaults. Names compare case-insensitively.
          </p>
        </div>
        <div className="row-actions">
          <a className="button button-quiet" href="/api/export/kql" download>
            Tuned KQL
          </a>
          <a className="button button-quiet" href="/api/export/kql?variant=series" download>
            Hunting query (series)
          </a>
          <a className="button button-quiet" href="/api/export/sigma" download>
            Sigma rule
          </a>
        </div>
      </div>
      <SuppressionsEditor entries={listSuppressions(run?.runId ?? null)} canEdit={canEditLists} initial={suppressed && draftFor(suppressed)} />
      <div className="card">
        <TuningTransfer kind="suppressions" canEdit={canEditLists} />
      </div>
      <DetectionSettingsForm settings={settings} canEdit={accountCan(account, "administer")} />
      <h2>Allowlists</h2>
      {!canEditLists && <p className="muted">Analysts and admins can change these lists.</p>}
      <div className="card">
        <TuningTransfer kind="lists" canEdit={canEditLists} />
      </div>
      <div className="grid-2">
        {DETECTION_LIST_NAMES.map((list) => (
          <AllowlistEditor key={list} list={list} entries={entries.filter((entry) => entry.list === list)} canEdit={canEditLists} />
        ))}
      </div>
    </>
  );
}

/** "Suppress this": the editor prefilled with the finding's narrowest entry. */
function draftFor(detail: FindingDetail): SuppressionDraft {
  // The prefill names the binary by hash or path where it can: the masquerade flag does not change it.
  const conditions = narrowestConditions(detail.mode === "kql" ? suppressibleSeedRow(detail.row) : suppressibleDefaultFinding(detail.finding, false));
  return {
    ...EMPTY_DRAFT,
    sha256: conditions.sha256 ?? "",
    processPath: conditions.processPath ?? "",
    deviceName: conditions.deviceName ?? "",
    remoteIp: (conditions.remoteIp ?? []).join(", "),
  };
}
