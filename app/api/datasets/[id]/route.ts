import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { auditCaller } from "@/lib/server/audit-log";
import { ApiError } from "@/lib/server/api-error";
import { datasetDeletionImpact, datasetIdSchema, deleteDataset } from "@/lib/server/dataset-store";
import { startOwedDetection } from "@/lib/server/detection-scheduler";
import { handleApiError } from "@/lib/server/handle-api-error";

type Context = { params: Promise<{ id: string }> };

function notFound(): ApiError {
  return new ApiError(404, "not_found", "That dataset no longer exists.");
}

/** What deleting the dataset would do: `{ deletion: { removedEvents, keptEvents } }` (kept: another dataset holds them). */
export async function GET(request: Request, context: Context) {
  try {
    await authorize(request, "read");
    const id = datasetIdSchema.parse((await context.params).id);
    const impact = await datasetDeletionImpact(id);
    if (!impact) throw notFound();
    return NextResponse.json({ id, deletion: { removedEvents: impact.removed, keptEvents: impact.kept } });
  } catch (error) {
    return handleApiError(error);
  }
}

/** Deletes a dataset with the events no other dataset holds, and asks for a detection rerun. A running upload is a 409. */
export async function DELETE(request: Request, context: Context) {
  try {
    const caller = await authorize(request, "administer");
    const id = datasetIdSchema.parse((await context.params).id);
    const released = await deleteDataset(id);
    if (!released) throw notFound();
    await auditCaller(caller, "dataset.delete", id, { fileName: released.fileName, removedEvents: released.removed, keptEvents: released.kept });
    return NextResponse.json({ deleted: id, removedEvents: released.removed, keptEvents: released.kept, detection: await startOwedDetection() });
  } catch (error) {
    return handleApiError(error);
  }
}
