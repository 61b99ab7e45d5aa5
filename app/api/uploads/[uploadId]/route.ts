import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { ApiError } from "@/lib/server/api-error";
import { uploadIdSchema, uploadProgress } from "@/lib/server/dataset-store";
import { handleApiError } from "@/lib/server/handle-api-error";

/** How far an upload named by its `x-upload-id` has got: `{ datasetId, status, stored }`. */
export async function GET(request: Request, context: { params: Promise<{ uploadId: string }> }) {
  try {
    await authorize(request, "upload");
    const progress = await uploadProgress(uploadIdSchema.parse((await context.params).uploadId));
    if (!progress) throw new ApiError(404, "not_found", "No upload with this id has started storing rows.");
    return NextResponse.json(progress);
  } catch (error) {
    return handleApiError(error);
  }
}
