/**
 * Uploaded bytes to text: gzip recognised by its magic bytes (not the file name) and inflated
 * under a size limit; UTF-8 otherwise (a BOM is dropped later by the format readers).
 */
import { gunzipSync } from "node:zlib";
import { TelemetryFileError } from "./telemetry-file-error";

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

export function decodeUpload(bytes: Uint8Array, maxDecodedBytes: number): string {
  if (!isGzip(bytes)) return new TextDecoder("utf-8").decode(bytes);
  let inflated: Buffer;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: maxDecodedBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || /Cannot create a Buffer larger|buffer length/i.test((error as Error).message)) {
      throw new TelemetryFileError(`The gzip file inflates to more than the limit of ${Math.round(maxDecodedBytes / 1048576)} MiB.`, 413);
    }
    throw new TelemetryFileError(`The gzip file is truncated or corrupt (${(error as Error).message}).`, 400);
  }
  return new TextDecoder("utf-8").decode(inflated);
}
