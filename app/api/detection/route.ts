import { NextResponse } from "next/server";
import { z } from "zod";
import { parseIsoTimestamp } from "@/lib/telemetry/iso-timestamp";
import { readDetectionRun, writeAsOfOverride } from "@/lib/server/detection-settings";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { runDetection } from "@/lib/server/run-detection";

const asOfBodySchema = z.object({
  asOf: z
    .string()
    .nullable()
    .refine((value) => value === null || parseIsoTimestamp(value) !== null, { error: "asOf must be an ISO 8601 time, or null for the newest event." }),
});

/** The last detection run: when, as of what time, how many findings. */
export async function GET() {
  try {
    return NextResponse.json(await readDetectionRun());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Sets (or clears, with null) the as-of time and reruns detection. */
export async function PUT(request: Request) {
  try {
    const { asOf } = asOfBodySchema.parse(await readJsonBody(request));
    await writeAsOfOverride(asOf === null ? null : parseIsoTimestamp(asOf)!.text);
    return NextResponse.json(await runDetection());
  } catch (error) {
    return handleApiError(error);
  }
}
