import { NextResponse } from "next/server";
import { actorLabel } from "@/lib/auth/roles";
import { suppressionInputSchema } from "@/lib/tuning/suppression";
import { authorize } from "@/lib/server/authorize";
import { readDetectionRun } from "@/lib/server/detection-settings";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { addSuppression, listSuppressions } from "@/lib/server/suppression-store";

/** Every suppression, newest first, with what each hides in the current run (`suppresses`) and whether it has expired. */
export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    return NextResponse.json(listSuppressions((await readDetectionRun())?.runId ?? null));
  } catch (error) {
    return handleApiError(error);
  }
}

/** Adds `{ conditions, reason, expiresAt }` (analyst, admin): 201 with the entry. It applies to the stored findings at once, without a rerun. */
export async function POST(request: Request) {
  try {
    const caller = await authorize(request, "edit");
    const input = suppressionInputSchema.parse(await readJsonBody(request));
    const run = await readDetectionRun();
    return NextResponse.json(addSuppression(input, { label: actorLabel(caller.actor), address: caller.address }, run?.runId ?? null), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
