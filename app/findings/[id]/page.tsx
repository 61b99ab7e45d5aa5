import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DefaultFindingDetail } from "@/components/findings/default-finding-detail";
import { SeedFindingDetail } from "@/components/findings/seed-finding-detail";
import { readDetectionRun, readDetectionSettings } from "@/lib/server/detection-settings";
import { findingIdSchema, getFinding } from "@/lib/server/findings-store";
import { requirePageAccount } from "@/lib/server/page-session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Finding" };

export default async function FindingPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageAccount();
  const parsedId = findingIdSchema.safeParse((await params).id);
  if (!parsedId.success) notFound();
  const detail = await getFinding(parsedId.data, await readDetectionRun());
  if (!detail) notFound();
  if (detail.mode === "kql") return <SeedFindingDetail row={detail.row} loads={detail.loads} connections={detail.connections} />;
  const settings = await readDetectionSettings();
  return <DefaultFindingDetail finding={detail.finding} loads={detail.loads} connections={detail.connections} settings={settings} />;
}
