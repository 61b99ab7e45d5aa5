import "server-only";
import { MAX_SAVED_VIEWS, type ListView } from "../triage/saved-views";
import { ApiError } from "./api-error";
import type { Caller } from "./audit-log";
import { prisma } from "./db";

export type SavedView = ListView & { id: number };

/** A user's own views, by name. */
export async function listSavedViews(owner: string): Promise<SavedView[]> {
  return prisma.savedView.findMany({ where: { owner }, orderBy: { name: "asc" }, select: { id: true, name: true, query: true } });
}

export async function saveView(owner: string, view: ListView): Promise<SavedView> {
  if ((await prisma.savedView.count({ where: { owner } })) >= MAX_SAVED_VIEWS) {
    throw new ApiError(409, "too_many_views", `You have ${MAX_SAVED_VIEWS} saved views: delete one first.`);
  }
  try {
    return await prisma.savedView.create({ data: { owner, ...view }, select: { id: true, name: true, query: true } });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ApiError(409, "view_name_taken", `You already have a view named ${JSON.stringify(view.name)}.`);
    throw error;
  }
}

/** Deletes one of the owner's views; another user's is a 404, as if it did not exist. */
export async function deleteSavedView(owner: string, id: number): Promise<void> {
  const { count } = await prisma.savedView.deleteMany({ where: { id, owner } });
  if (count === 0) throw new ApiError(404, "view_not_found", "You have no saved view with this id.");
}

/** Whose views a request reads: its account (reading is never granted to a token, see roles). */
export function viewOwner({ actor }: Caller): string {
  if (actor.kind !== "user") throw new ApiError(403, "forbidden", "Saved views belong to accounts.");
  return actor.username;
}
