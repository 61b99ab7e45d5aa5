import { NextResponse } from "next/server";
import { env } from "@/lib/server/env";
import { handleApiError } from "@/lib/server/handle-api-error";
import { ingestTelemetryText } from "@/lib/server/ingest-upload";
import { readUpload } from "@/lib/server/read-upload";

/** POST a Defender export (raw body or multipart `file`); answers the dataset's ingest result. */
export async function POST(request: Request) {
  try {
    const upload = await readUpload(request, env.CW_MAX_UPLOAD_BYTES);
    return NextResponse.json(await ingestTelemetryText(upload.fileName, upload.text), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
