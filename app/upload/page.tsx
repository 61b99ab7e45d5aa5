import type { Metadata } from "next";
import { UploadPanel } from "@/components/upload/upload-panel";
import { accountCan } from "@/lib/auth/roles";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Upload" };

export default async function UploadPage() {
  const account = await requirePageAccount();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Upload telemetry</h1>
          <p>
            Microsoft Defender for Endpoint Advanced Hunting exports (the portal&apos;s CSV, the API&apos;s JSON, JSON rows, the streaming
            API&apos;s lines), the result of Cipherwatch&apos;s hunting query exported as CSV, and Sysmon logs (raw .evtx as collected, flat JSON,
            Winlogbeat/Elastic NDJSON, wevtutil XML), plain or gzipped. Bad rows are reported by
            line and the rest are stored. Also available as <code>POST /api/ingest</code> and <code>npm run cw -- ingest FILE</code>.
          </p>
        </div>
      </div>
      {accountCan(account, "upload") ? (
        <UploadPanel />
      ) : (
        <p className="notice">
          Your role ({account.role}) cannot upload telemetry. An admin can give you the analyst role.
        </p>
      )}
    </>
  );
}
