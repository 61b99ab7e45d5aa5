import { NextResponse } from "next/server";
import { z } from "zod";
import { actorLabel } from "@/lib/auth/roles";
import { suppressionInputSchema } from "@/lib/tuning/suppression";
import { authorize } from "@/lib/server/authorize";
import { readDetectionRun } from "@/lib/server/detection-settings";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { removeSuppression, suppressionHistory, suppressionView, updateSuppression } from "@/lib/server/suppression-store";

type Context = { params: Promise<{ id: string }> };

const suppressionIdSchema = z.string().regex(/^[0-9a-f]{32}$/, { error: "Not a suppression id." });
const changeSchema = suppressionInputSchema.partial().refine((change) => Object.keys(change).length > 0, { error: "Send at least one of conditions, reason, expiresAt." });

/** One suppression, with its history of changes. */
export async function GET(request: Request, context: Context) {
  try {
    await authorize(request, "read");
    const id = suppressionIdSchema.parse((await context.params).id);
    return NextResponse.json({ ...suppressionView(id, (await readDetectionRun())?.runId ?? null), history: suppressionHistory(id) });
  } catch (error) {
    return handleApiError(error);
  }
}

/** Changes any of `{ conditions, reason, expiresAt }` (analyst, admin). */
export async function PATCH(request: Request, context: Context) {
  try {
    const caller = await authorize(request, "edit");
    const id = suppressionIdSchema.parse((await context.params).id);
    const change = changeSchema.parse(await readJsonBody(request));
    const run = await readDetectionRun();
    return NextResponse.json(updateSuppression(id, change, { label: actorLabel(caller.actor), address: caller.address }, run?.runId ?? null));
  } catch (error) {
    return handleApiError(error);
  }
}

/** Removes it (analyst, admin): the findings it alone hid come back at once. Its history stays. */
export async function DELETE(request: Request, context: Context) {
  try {
    const caller = await authorize(request, "edit");
    removeSuppression(suppressionIdSchema.parse((await context.params).id), { label: actorLabel(caller.actor), address: caller.address });
    return NextResponse.json({ removed: true });
  } catch (error) {
    return handleApiError(error);
  }
}
