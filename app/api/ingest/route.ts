import { NextResponse } from "next/server";
import { env } from "@/lib/server/env";
import { handleApiError } from "@/lib/server/handle-api-error";
import { ingestTelemetryText } from "@/lib/server/ingest-upload";
import { readUpload } from "@/lib/server/read-upload";

/** POST a Defender export (raw body or multipart `file`); answers the dataset's ingest result. */
export async function POST(request: Request) {
  try {
    const upload = await readUpload(request, env.CW_MAX_UPLOAD_BYTES);
    // The upload page says it is the browser; anything else is an API client.
    const channel = request.headers.get("x-cw-client") === "web" ? "web" : "api";
    return NextResponse.json(await ingestTelemetryText(upload.fileName, upload.text, channel), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
