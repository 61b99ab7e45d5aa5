import { NextResponse } from "next/server";
import { z } from "zod";
import { actorLabel } from "@/lib/auth/roles";
import { MAX_NOTE_CHARS } from "@/lib/triage/triage-state";
import { authorize } from "@/lib/server/authorize";
import { findingIdSchema } from "@/lib/server/findings-store";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { addFindingNote, currentFindingMark } from "@/lib/server/triage-store";

type Context = { params: Promise<{ id: string }> };

const noteBodySchema = z.strictObject({ text: z.string().trim().min(1, { error: "A note needs text." }).max(MAX_NOTE_CHARS) });

/** Appends a note to a finding of the current run (`{ text }`): 201 with the finding's triage. */
export async function POST(request: Request, context: Context) {
  try {
    const caller = await authorize(request, "edit");
    const id = findingIdSchema.parse((await context.params).id);
    const { text } = noteBodySchema.parse(await readJsonBody(request));
    await currentFindingMark(id);
    return NextResponse.json({ triage: addFindingNote(id, text, { label: actorLabel(caller.actor), address: caller.address }) }, { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
