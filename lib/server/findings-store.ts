import "server-only";
import { z } from "zod";
import type { EvidenceConnection, EvidenceLoad, SeedQueryRow } from "../detection/seed-kql-query";
import { prisma } from "./db";

export interface StoredFinding {
  id: string;
  row: SeedQueryRow;
}

export interface StoredFindingDetail extends StoredFinding {
  loads: EvidenceLoad[];
  connections: EvidenceConnection[];
}

export const findingIdSchema = z.string().regex(/^[0-9a-f]{16}$/, { error: "Not a finding id." });

export async function listFindings(): Promise<StoredFinding[]> {
  const findings = await prisma.finding.findMany({ where: { mode: "kql" }, orderBy: { rank: "asc" } });
  return findings.map((finding) => ({ id: finding.id, row: JSON.parse(finding.row) as SeedQueryRow }));
}

export async function getFinding(id: string): Promise<StoredFindingDetail | null> {
  const finding = await prisma.finding.findUnique({ where: { id } });
  if (!finding) return null;
  const evidence = JSON.parse(finding.evidence) as { loads: EvidenceLoad[]; connections: EvidenceConnection[] };
  return { id: finding.id, row: JSON.parse(finding.row) as SeedQueryRow, ...evidence };
}
