import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { auditCaller } from "@/lib/server/audit-log";
import { uploadIdSchema } from "@/lib/server/dataset-store";
import { actorLabel } from "@/lib/auth/roles";
import { env } from "@/lib/server/env";
import { handleApiError } from "@/lib/server/handle-api-error";
import { ingestTelemetryStream } from "@/lib/server/ingest-upload";
import { readUpload, type UploadedFile } from "@/lib/server/read-upload";
import { startOwedDetection } from "@/lib/server/detection-scheduler";
import { z } from "zod";

const ingestQuerySchema = z.object({
  detection: z.enum(["now", "later"], { error: "detection must be now or later." }).default("now"),
});

/**
 * POST a telemetry file (raw body, streamed, or multipart `file`); answers the dataset's ingest
 * result and the detection status (a rerun is asked for; it runs in the background). An
 * `x-upload-id` header names the upload, so GET /api/uploads/<id> follows its rows stored.
 * `?detection=later` (every file of a batch but the last) records the change without starting
 * a run, and answers `detection: null`: the last file's upload starts one run for all of them.
 */
export async function POST(request: Request) {
  let upload: UploadedFile | null = null;
  try {
    const caller = await authorize(request, "upload");
    const query = ingestQuerySchema.parse({ detection: new URL(request.url).searchParams.get("detection") ?? undefined });
    const uploadIdHeader = request.headers.get("x-upload-id");
    const uploadId = uploadIdHeader === null ? undefined : uploadIdSchema.parse(uploadIdHeader);
    upload = await readUpload(request, env.CW_MAX_UPLOAD_BYTES);
    // Storing it recorded the change for detection; the run starts here (or with a later file).
    const result = await ingestTelemetryStream(upload.fileName, upload.chunks, actorLabel(caller.actor), { uploadId });
    await auditCaller(caller, "dataset.upload", result.datasetId, { fileName: upload.fileName, accepted: result.accepted, rejected: result.rejected, duplicates: result.duplicates });
    const detection = query.detection === "later" ? null : await startOwedDetection();
    return NextResponse.json({ ...result, detection }, { status: 201 });
  } catch (error) {
    // A file refused part way: the client may still be sending it.
    await upload?.discardRest();
    return handleApiError(error);
  }
}
