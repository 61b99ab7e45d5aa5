import { NextResponse } from "next/server";
import { actorLabel } from "@/lib/auth/roles";
import { triageChangeSchema } from "@/lib/triage/triage-state";
import { authorize } from "@/lib/server/authorize";
import { currentFinding } from "@/lib/server/current-finding";
import { findingIdSchema } from "@/lib/server/findings-store";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { changeFindingTriage, currentFindingMark, triageDetail } from "@/lib/server/triage-store";

type Context = { params: Promise<{ id: string }> };

/** A finding of the current run, with its evidence and its triage (state, notes, history). */
export async function GET(request: Request, context: Context) {
  try {
    await authorize(request, "read");
    const id = findingIdSchema.parse((await context.params).id);
    return NextResponse.json({ ...(await currentFinding(id)), triage: triageDetail(id) });
  } catch (error) {
    return handleApiError(error);
  }
}

/** Changes a finding's triage: any of `{ status, classification, reason, assignee, tags }`. Answers its triage. */
export async function PATCH(request: Request, context: Context) {
  try {
    const caller = await authorize(request, "edit");
    const id = findingIdSchema.parse((await context.params).id);
    const change = triageChangeSchema.parse(await readJsonBody(request));
    const mark = await currentFindingMark(id);
    return NextResponse.json({ triage: changeFindingTriage(id, change, mark, { label: actorLabel(caller.actor), address: caller.address }) });
  } catch (error) {
    return handleApiError(error);
  }
}
