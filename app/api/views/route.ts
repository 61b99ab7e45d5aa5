import { NextResponse } from "next/server";
import { savedViewSchema } from "@/lib/triage/saved-views";
import { authorize } from "@/lib/server/authorize";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { listSavedViews, saveView, viewOwner } from "@/lib/server/saved-view-store";

/** The signed-in user's saved findings views. */
export async function GET(request: Request) {
  try {
    const owner = viewOwner(await authorize(request, "read"));
    return NextResponse.json(await listSavedViews(owner));
  } catch (error) {
    return handleApiError(error);
  }
}

/** Saves `{ name, query }` (the list's URL query) as a view of the signed-in user: 201. */
export async function POST(request: Request) {
  try {
    const owner = viewOwner(await authorize(request, "read"));
    const view = savedViewSchema.parse(await readJsonBody(request));
    return NextResponse.json(await saveView(owner, view), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
