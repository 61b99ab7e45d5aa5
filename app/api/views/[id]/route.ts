import { NextResponse } from "next/server";
import { z } from "zod";
import { authorize } from "@/lib/server/authorize";
import { handleApiError } from "@/lib/server/handle-api-error";
import { deleteSavedView, viewOwner } from "@/lib/server/saved-view-store";

type Context = { params: Promise<{ id: string }> };

/** Deletes one of the signed-in user's saved views. */
export async function DELETE(request: Request, context: Context) {
  try {
    const owner = viewOwner(await authorize(request, "read"));
    await deleteSavedView(owner, z.coerce.number().int().positive().parse((await context.params).id));
    return NextResponse.json({ deleted: true });
  } catch (error) {
    return handleApiError(error);
  }
}
