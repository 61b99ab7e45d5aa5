import type { Metadata } from "next";
import Link from "next/link";
import { DatasetsTable } from "@/components/datasets/datasets-table";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { accountCan } from "@/lib/auth/roles";
import { listDatasets } from "@/lib/server/dataset-store";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Datasets" };
export const dynamic = "force-dynamic";

export default async function DatasetsPage() {
  const account = await requirePageAccount();
  const datasets = await listDatasets();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Datasets</h1>
          <p>
            Every upload is a dataset. Rows already stored by an earlier upload are counted, not stored twice. Deleting a dataset removes the
            events no other dataset holds and reruns detection.
          </p>
        </div>
        <Link className="button" href="/upload">
          Upload
        </Link>
      </div>
      {/* Uploads in progress, from this browser or anywhere else, are followed live. */}
      <AutoRefresh active={datasets.some((dataset) => dataset.status === "running")} />
      <DatasetsTable datasets={datasets} canDelete={accountCan(account, "administer")} />
    </>
  );
}
