import { NextResponse } from "next/server";
import { z } from "zod";
import { detectionModeSchema, listDefaultFindings, listSeedFindings } from "@/lib/server/findings-store";
import { handleApiError } from "@/lib/server/handle-api-error";

const findingsQuerySchema = z.object({ mode: detectionModeSchema.default("default") });

/**
 * The stored findings. Default mode: one object per flagged process (identity, rules,
 * severity, confidence, reasons, connections, beacon scores). `mode=kql`: the seed query's rows.
 */
export async function GET(request: Request) {
  try {
    const { mode } = findingsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    if (mode === "kql") return NextResponse.json((await listSeedFindings()).map((item) => item.row));
    return NextResponse.json((await listDefaultFindings()).map((item) => ({ id: item.id, ...item.finding })));
  } catch (error) {
    return handleApiError(error);
  }
}
