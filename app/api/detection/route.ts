import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { auditCaller } from "@/lib/server/audit-log";
import { z } from "zod";
import { parseIsoTimestamp } from "@/lib/telemetry/iso-timestamp";
import { readAsOfText, writeAsOfOverride } from "@/lib/server/detection-settings";
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
    await authorize(request, "read");
    return NextResponse.json(await detectionStatus());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Sets (or clears, with null) the as-of time and asks for a detection rerun. */
export async function PUT(request: Request) {
  try {
    const caller = await authorize(request, "administer");
    const { asOf } = asOfBodySchema.parse(await readJsonBody(request));
    const previous = await readAsOfText();
    const next = asOf === null ? null : parseIsoTimestamp(asOf)!.text;
    await writeAsOfOverride(next);
    await auditCaller(caller, "detection.as_of", null, { from: previous, to: next });
    return NextResponse.json(await requestDetection("everything"));
  } catch (error) {
    return handleApiError(error);
  }
}
