import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DefaultFindingDetail } from "@/components/findings/default-finding-detail";
import { SeedFindingDetail } from "@/components/findings/seed-finding-detail";
import { TriagePanel } from "@/components/findings/triage-panel";
import { accountCan } from "@/lib/auth/roles";
import { readDetectionRun, readDetectionSettings } from "@/lib/server/detection-settings";
import { findingIdSchema, getFinding } from "@/lib/server/findings-store";
import { requirePageAccount } from "@/lib/server/page-session";
import { assignableUsernames, triageDetail } from "@/lib/server/triage-store";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Finding" };

export default async function FindingPage({ params }: { params: Promise<{ id: string }> }) {
  const account = await requirePageAccount();
  const parsedId = findingIdSchema.safeParse((await params).id);
  if (!parsedId.success) notFound();
  const detail = await getFinding(parsedId.data, await readDetectionRun());
  if (!detail) notFound();
  const triage = <TriagePanel findingId={detail.id} initial={triageDetail(detail.id)} assignees={assignableUsernames()} canEdit={accountCan(account, "edit")} />;
  if (detail.mode === "kql") return <SeedFindingDetail row={detail.row} loads={detail.loads} connections={detail.connections} triage={triage} />;
  const settings = await readDetectionSettings();
  return <DefaultFindingDetail finding={detail.finding} loads={detail.loads} connections={detail.connections} settings={settings} triage={triage} />;
}
