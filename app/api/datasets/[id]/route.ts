import { NextResponse } from "next/server";
import { ApiError } from "@/lib/server/api-error";
import { datasetIdSchema, deleteDataset } from "@/lib/server/dataset-store";
import { handleApiError } from "@/lib/server/handle-api-error";

/** Deletes a dataset with its events and reruns detection. */
export async function DELETE(_request: Request, context: { params: Promise<{ id: string }> }) {
  try {
    const id = datasetIdSchema.parse((await context.params).id);
    if (!(await deleteDataset(id))) throw new ApiError(404, "not_found", "That dataset no longer exists.");
    return NextResponse.json({ deleted: id });
  } catch (error) {
    return handleApiError(error);
  }
}
