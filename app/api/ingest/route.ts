import { NextResponse } from "next/server";
import { env } from "@/lib/server/env";
import { handleApiError } from "@/lib/server/handle-api-error";
import { ingestTelemetryStream } from "@/lib/server/ingest-upload";
import { readUpload } from "@/lib/server/read-upload";

/** POST a telemetry file (raw body, streamed, or multipart `file`); answers the dataset's ingest result. */
export async function POST(request: Request) {
  try {
    const upload = await readUpload(request, env.CW_MAX_UPLOAD_BYTES);
    // The upload page says it is the browser; anything else is an API client.
    const channel = request.headers.get("x-cw-client") === "web" ? "web" : "api";
    return NextResponse.json(await ingestTelemetryStream(upload.fileName, upload.chunks, channel), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
