import { NextResponse } from "next/server";
import { z } from "zod";
import { listFindings } from "@/lib/server/findings-store";
import { handleApiError } from "@/lib/server/handle-api-error";

const findingsQuerySchema = z.object({
  // Only the KQL-compatible mode exists so far; the corrected default mode will be added beside it.
  mode: z.enum(["kql"], { error: "mode must be kql" }).default("kql"),
});

/** The stored findings as the seed query's output rows. */
export async function GET(request: Request) {
  try {
    findingsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    return NextResponse.json((await listFindings()).map((finding) => finding.row));
  } catch (error) {
    return handleApiError(error);
  }
}
