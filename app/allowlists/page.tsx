import type { Metadata } from "next";
import { AllowlistEditor } from "@/components/allowlists/allowlist-editor";
import { DetectionSettingsForm } from "@/components/allowlists/detection-settings-form";
import { readDetectionSettings } from "@/lib/server/detection-settings";
import { accountCan } from "@/lib/auth/roles";
import { DETECTION_LIST_NAMES } from "@/lib/detection/detection-lists";
import { listAllowlistEntries } from "@/lib/server/allowlist-store";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Tuning" };
export const dynamic = "force-dynamic";

export default async function AllowlistsPage() {
  const account = await requirePageAccount();
  const canEditLists = accountCan(account, "edit");
  const [entries, settings] = await Promise.all([listAllowlistEntries(), readDetectionSettings()]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Tuning</h1>
          <p>
            The thresholds of the corrected detection, and the four lists of the seed query (both modes use them), starting from its
            defaults. Names compare case-insensitively. Every change reruns detection and updates the findings.
          </p>
        </div>
      </div>
      <DetectionSettingsForm settings={settings} canEdit={accountCan(account, "administer")} />
      <h2>Allowlists</h2>
      {!canEditLists && <p className="muted">Analysts and admins can change these lists.</p>}
      <div className="grid-2">
        {DETECTION_LIST_NAMES.map((list) => (
          <AllowlistEditor key={list} list={list} entries={entries.filter((entry) => entry.list === list)} canEdit={canEditLists} />
        ))}
      </div>
    </>
  );
}
