import { NextResponse } from "next/server";
import { guardApiRequest } from "@/lib/server/api-guard";
import { z } from "zod";
import { parseIsoTimestamp } from "@/lib/telemetry/iso-timestamp";
import { writeAsOfOverride } from "@/lib/server/detection-settings";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { detectionStatus, requestDetection } from "@/lib/server/detection-scheduler";

const asOfBodySchema = z.object({
  asOf: z
    .string()
    .nullable()
    .refine((value) => value === null || parseIsoTimestamp(value) !== null, { error: "asOf must be an ISO 8601 time, or null for the newest event." }),
});

/** Detection status: the last complete run (when, as of what time, how many findings), a run in progress, a failure. */
export async function GET(request: Request) {
  try {
    guardApiRequest(request);
    return NextResponse.json(await detectionStatus());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Sets (or clears, with null) the as-of time and asks for a detection rerun. */
export async function PUT(request: Request) {
  try {
    guardApiRequest(request);
    const { asOf } = asOfBodySchema.parse(await readJsonBody(request));
    await writeAsOfOverride(asOf === null ? null : parseIsoTimestamp(asOf)!.text);
    return NextResponse.json(await requestDetection());
  } catch (error) {
    return handleApiError(error);
  }
}
