import type { Metadata } from "next";
import Link from "next/link";
import { AsOfControl } from "@/components/findings/as-of-control";
import { FindingsTable } from "@/components/findings/findings-table";
import { readDetectionRun } from "@/lib/server/detection-settings";
import { listFindings } from "@/lib/server/findings-store";

export const metadata: Metadata = { title: "Findings" };
export const dynamic = "force-dynamic";

export default async function FindingsPage() {
  const [findings, run] = await Promise.all([listFindings(), readDetectionRun()]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Findings</h1>
          <p>
            KQL-compatible mode: the seed Sentinel rule reproduced row for row. Processes that loaded a crypto library and then
            connected to a public IP on a non-standard port within 15 minutes, over the 24 hours before the as-of time.
          </p>
        </div>
        <Link className="button button-quiet" href="/api/findings?mode=kql" prefetch={false}>
          Export JSON
        </Link>
      </div>
      <AsOfControl asOf={run?.asOf ?? null} source={run?.asOfSource ?? "newest-event"} />
      <FindingsTable findings={findings} />
    </>
  );
}
