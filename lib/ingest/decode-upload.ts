/**
 * Uploaded bytes, as they arrive, to text chunks: gzip recognised by its magic bytes (not the
 * file name) and inflated on the fly; UTF-8 otherwise. Both the bytes received and the bytes
 * inflated are bounded, so neither a huge upload nor a gzip bomb gets past the limit.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { TelemetryFileError } from "./telemetry-file-error";

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export async function* decodeUploadChunks(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<string> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const decoder = new StrictUtf8Decoder();
  let received = 0;
  const counted = async function* (): AsyncGenerator<Uint8Array> {
    for (let next: IteratorResult<Uint8Array> = first; !next.done; next = await iterator.next()) {
      received += next.value.byteLength;
      if (received > maxBytes) throw tooLarge("The file is larger than", maxBytes);
      yield next.value;
    }
  };
  if (!isGzip(first.value)) {
    for await (const bytes of counted()) yield decoder.decode(bytes, { stream: true });
    const rest = decoder.decode();
    if (rest) yield rest;
    return;
  }
  const gunzip = createGunzip();
  const piping = pipeline(Readable.from(counted()), gunzip).catch((error) => gunzip.destroy(error));
  let inflated = 0;
  try {
    for await (const bytes of gunzip as AsyncIterable<Buffer>) {
      inflated += bytes.byteLength;
      if (inflated > maxBytes) throw tooLarge("The gzip file inflates to more than", maxBytes);
      yield decoder.decode(bytes, { stream: true });
    }
  } catch (error) {
    if (error instanceof TelemetryFileError) throw error;
    throw new TelemetryFileError(`The gzip file is truncated or corrupt (${(error as Error).message}).`, 400);
  } finally {
    gunzip.destroy();
    await piping;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** A telemetry file on disk, read as an upload is: 1 MiB reads keep per-chunk overhead low. */
export function decodeFileChunks(file: string, maxBytes: number): AsyncGenerator<string> {
  return decodeUploadChunks(createReadStream(file, { highWaterMark: 1 << 20 }), maxBytes);
}

/**
 * UTF-8 or a clear 400: replacement characters would store mangled names and command lines as if
 * they were what the endpoint saw.
 */
class StrictUtf8Decoder {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  decode(bytes?: Uint8Array, options?: { stream: boolean }): string {
    try {
      return this.decoder.decode(bytes, options);
    } catch {
      throw new TelemetryFileError("The file is not UTF-8 text (Latin-1 or UTF-16?): export it as UTF-8, as the Defender portal and API do.", 400);
    }
  }
}

function tooLarge(prefix: string, maxBytes: number): TelemetryFileError {
  return new TelemetryFileError(`${prefix} the upload limit of ${describeBytes(maxBytes)} (CW_MAX_UPLOAD_BYTES).`, 413);
}

export function describeBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${Math.round(bytes / 1024 ** 3)} GiB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
