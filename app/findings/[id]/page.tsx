import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DefaultFindingDetail } from "@/components/findings/default-finding-detail";
import { FindingNav } from "@/components/findings/finding-nav";
import { SeedFindingDetail } from "@/components/findings/seed-finding-detail";
import { TriagePanel } from "@/components/findings/triage-panel";
import { accountCan } from "@/lib/auth/roles";
import { findingListQuery } from "@/lib/detection/finding-list";
import { viewQuery } from "@/lib/triage/saved-views";
import { readDetectionRun, readDetectionSettings } from "@/lib/server/detection-settings";
import { detectionModeSchema, findingIdSchema, getFinding, neighbouringFindings } from "@/lib/server/findings-store";
import { requirePageAccount } from "@/lib/server/page-session";
import { assignableUsernames, triageDetail } from "@/lib/server/triage-store";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Finding" };

interface PageProps {
  params: Promise<{ id: string }>;
  /** `list`: the query of the list it was opened from (see findingHref). */
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function FindingPage({ params, searchParams }: PageProps) {
  const account = await requirePageAccount();
  const parsedId = findingIdSchema.safeParse((await params).id);
  if (!parsedId.success) notFound();
  const run = await readDetectionRun();
  const detail = await getFinding(parsedId.data, run);
  if (!detail) notFound();
  const rawList = (await searchParams).list;
  const list = viewQuery(typeof rawList === "string" ? rawList : "");
  const listParams = Object.fromEntries(new URLSearchParams(list));
  // The list of the finding's own mode: a link from the other list falls back to this mode's default queue.
  const listMode = detectionModeSchema.catch("default").parse(listParams.mode);
  const neighbours = neighbouringFindings(detail.mode, findingListQuery(detail.mode, listMode === detail.mode ? listParams : {}, account.username), run, detail.id);
  const nav = <FindingNav id={detail.id} list={listMode === detail.mode ? list : detail.mode === "kql" ? "mode=kql" : ""} {...neighbours} canEdit={accountCan(account, "edit")} />;
  const triage = <TriagePanel findingId={detail.id} initial={triageDetail(detail.id)} assignees={assignableUsernames()} canEdit={accountCan(account, "edit")} />;
  if (detail.mode === "kql") {
    return (
      <>
        {nav}
        <SeedFindingDetail row={detail.row} loads={detail.loads} connections={detail.connections} triage={triage} />
      </>
    );
  }
  const settings = await readDetectionSettings();
  return (
    <>
      {nav}
      <DefaultFindingDetail finding={detail.finding} loads={detail.loads} connections={detail.connections} settings={settings} triage={triage} />
    </>
  );
}
