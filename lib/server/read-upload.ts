import "server-only";
import { decodeUploadChunks, describeBytes } from "../ingest/decode-upload";
import { ApiError } from "./api-error";

export interface UploadedFile {
  fileName: string;
  /** The file's text as it arrives (inflated when gzip). */
  chunks: AsyncIterable<string>;
}

const FILE_NAME_MAX = 200;

/**
 * The uploaded file from a request: either the raw body, streamed (name in `x-file-name` or
 * `?name=`), or a multipart form with one `file` field. At most `maxBytes` are read (and
 * inflated), answering 413 beyond.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<UploadedFile> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.startsWith("multipart/form-data")) {
    // Multipart bodies are buffered by the platform: fine for the browser's sizes, not for gigabytes.
    const form = await request.formData().catch(() => {
      throw new ApiError(400, "malformed_multipart", "The multipart body could not be read.");
    });
    const files = form.getAll("file").filter((value): value is File => typeof value !== "string");
    if (files.length !== 1) throw new ApiError(400, "one_file_expected", "Send exactly one file in the multipart field \"file\".");
    return { fileName: cleanFileName(files[0].name), chunks: decodeUploadChunks(files[0].stream() as unknown as AsyncIterable<Uint8Array>, maxBytes) };
  }
  if (!request.body) throw new ApiError(400, "empty_body", "The request has no body: send the export file as the body.");
  const url = new URL(request.url);
  const fileName = cleanFileName(request.headers.get("x-file-name") ?? url.searchParams.get("name") ?? "upload");
  return { fileName, chunks: decodeUploadChunks(request.body as unknown as AsyncIterable<Uint8Array>, maxBytes) };
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "file_too_large", `The file is larger than the upload limit of ${describeBytes(maxBytes)} (CW_MAX_UPLOAD_BYTES).`);
}

/** File names are shown back to users: keep the base name, printable, bounded. */
function cleanFileName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // not percent-encoded: use as is
  }
  name = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (name || "upload").slice(0, FILE_NAME_MAX);
}
