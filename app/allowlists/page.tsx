import type { Metadata } from "next";
import { AllowlistEditor } from "@/components/allowlists/allowlist-editor";
import { DETECTION_LIST_NAMES } from "@/lib/detection/detection-lists";
import { listAllowlistEntries } from "@/lib/server/allowlist-store";

export const metadata: Metadata = { title: "Allowlists" };
export const dynamic = "force-dynamic";

export default async function AllowlistsPage() {
  const entries = await listAllowlistEntries();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Allowlists</h1>
          <p>
            The four lists of the seed query, starting from its defaults. Names compare case-insensitively. Every change reruns detection
            and updates the findings.
          </p>
        </div>
      </div>
      <div className="grid-2">
        {DETECTION_LIST_NAMES.map((list) => (
          <AllowlistEditor key={list} list={list} entries={entries.filter((entry) => entry.list === list)} />
        ))}
      </div>
    </>
  );
}
