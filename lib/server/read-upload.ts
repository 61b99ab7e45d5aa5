import "server-only";
import { decodeUpload } from "../ingest/decode-upload";
import { ApiError } from "./api-error";

export interface UploadedFile {
  fileName: string;
  text: string;
}

const FILE_NAME_MAX = 200;

/**
 * The uploaded file from a request: either the raw body (name in `x-file-name` or `?name=`)
 * or a multipart form with one `file` field. Reads at most `maxBytes`, answering 413 beyond;
 * gzip is inflated (to at most `maxBytes` too).
 */
export async function readUpload(request: Request, maxBytes: number): Promise<UploadedFile> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.startsWith("multipart/form-data")) {
    const form = await request.formData().catch(() => {
      throw new ApiError(400, "malformed_multipart", "The multipart body could not be read.");
    });
    const files = form.getAll("file").filter((value): value is File => typeof value !== "string");
    if (files.length !== 1) throw new ApiError(400, "one_file_expected", "Send exactly one file in the multipart field \"file\".");
    if (files[0].size > maxBytes) throw tooLarge(maxBytes);
    return { fileName: cleanFileName(files[0].name), text: decodeUpload(new Uint8Array(await files[0].arrayBuffer()), maxBytes) };
  }
  const url = new URL(request.url);
  const fileName = cleanFileName(request.headers.get("x-file-name") ?? url.searchParams.get("name") ?? "upload");
  return { fileName, text: decodeUpload(await readBodyBytes(request, maxBytes), maxBytes) };
}

async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) throw new ApiError(400, "empty_body", "The request has no body: send the export file as the body.");
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "file_too_large", `The file is larger than the upload limit of ${Math.round(maxBytes / 1048576)} MiB (CW_MAX_UPLOAD_BYTES).`);
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
