import { NextResponse } from "next/server";
import { guardApiRequest } from "@/lib/server/api-guard";
import { uploadIdSchema } from "@/lib/server/dataset-store";
import { env } from "@/lib/server/env";
import { handleApiError } from "@/lib/server/handle-api-error";
import { ingestTelemetryStream } from "@/lib/server/ingest-upload";
import { readUpload, type UploadedFile } from "@/lib/server/read-upload";
import { requestDetection } from "@/lib/server/detection-scheduler";

/**
 * POST a telemetry file (raw body, streamed, or multipart `file`); answers the dataset's ingest
 * result and the detection status (a rerun is asked for; it runs in the background). An `x-upload-id` header names the upload, so GET /api/uploads/<id> follows its rows stored.
 */
export async function POST(request: Request) {
  let upload: UploadedFile | null = null;
  try {
    guardApiRequest(request);
    const uploadIdHeader = request.headers.get("x-upload-id");
    const uploadId = uploadIdHeader === null ? undefined : uploadIdSchema.parse(uploadIdHeader);
    upload = await readUpload(request, env.CW_MAX_UPLOAD_BYTES);
    // The upload page says it is the browser; anything else is an API client.
    const channel = request.headers.get("x-cw-client") === "web" ? "web" : "api";
    const result = await ingestTelemetryStream(upload.fileName, upload.chunks, channel, { uploadId });
    return NextResponse.json({ ...result, detection: await requestDetection() }, { status: 201 });
  } catch (error) {
    // A file refused part way: the client may still be sending it.
    await upload?.discardRest();
    return handleApiError(error);
  }
}
