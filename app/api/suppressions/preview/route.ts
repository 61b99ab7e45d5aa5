import { NextResponse } from "next/server";
import { z } from "zod";
import { suppressionInputSchema } from "@/lib/tuning/suppression";
import { authorize } from "@/lib/server/authorize";
import { readDetectionRun } from "@/lib/server/detection-settings";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { previewSuppression } from "@/lib/server/suppression-store";

const suppressionId = z.string().regex(/^[0-9a-f]{32}$/, { error: "Not a suppression id." });
const previewSchema = z.union([suppressionInputSchema.extend({ replaces: suppressionId.optional() }), z.strictObject({ removes: suppressionId })]);

/**
 * What saving would do to the current run's list, nothing saved (analyst, admin): a new entry
 * (`{ conditions, reason, expiresAt }`), an edit (the same with `replaces: <id>`) or a removal
 * (`{ removes: <id> }`). Answers `{ suppresses: [finding ids], restores: [finding ids] }`.
 */
export async function POST(request: Request) {
  try {
    await authorize(request, "edit");
    const body = previewSchema.parse(await readJsonBody(request));
    const runId = (await readDetectionRun())?.runId ?? null;
    const preview = "removes" in body ? previewSuppression(runId, null, body.removes) : previewSuppression(runId, body, body.replaces ?? null);
    return NextResponse.json(preview);
  } catch (error) {
    return handleApiError(error);
  }
}
