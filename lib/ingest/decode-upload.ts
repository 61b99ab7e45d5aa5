/**
 * Uploaded bytes, as they arrive, to text chunks (or, for .evtx, byte pieces): gzip recognised by
 * its magic bytes (not the file name) and inflated on the fly; UTF-8 otherwise. Both the bytes
 * received and the bytes inflated are bounded, so neither a huge upload nor a gzip bomb gets past
 * the limit.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { EVTX_MAGIC, looksLikeEvtx } from "./evtx/evtx-stream-parser";
import { TelemetryFileError } from "./telemetry-file-error";

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The upload's content as it arrives: text chunks, or, for a Windows event log (.evtx, recognised
 * by its magic bytes), its bytes as they are.
 */
export async function* decodeUploadChunks(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<string | Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  let received = 0;
  const counted = async function* (): AsyncGenerator<Uint8Array> {
    for (let next: IteratorResult<Uint8Array> = first; !next.done; next = await iterator.next()) {
      received += next.value.byteLength;
      if (received > maxBytes) throw tooLarge("The file is larger than", maxBytes);
      yield next.value;
    }
  };
  yield* textOrEvtx(isGzip(first.value) ? inflated(counted(), maxBytes) : counted());
}

/** Gzip inflated on the fly, at most maxBytes of it. */
async function* inflated(compressed: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip();
  const piping = pipeline(Readable.from(compressed), gunzip).catch((error) => gunzip.destroy(error));
  let inflatedBytes = 0;
  try {
    for await (const bytes of gunzip as AsyncIterable<Buffer>) {
      inflatedBytes += bytes.byteLength;
      if (inflatedBytes > maxBytes) throw tooLarge("The gzip file inflates to more than", maxBytes);
      yield bytes;
    }
  } catch (error) {
    if (error instanceof TelemetryFileError) throw error;
    throw new TelemetryFileError(`The gzip file is truncated or corrupt (${(error as Error).message}).`, 400);
  } finally {
    gunzip.destroy();
    await piping;
  }
}

/** The bytes as they are when they start with the .evtx magic; otherwise decoded as UTF-8 text. */
async function* textOrEvtx(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string | Uint8Array> {
  const iterator = bytes[Symbol.asyncIterator]();
  // The magic's 8 bytes may arrive in more than one piece.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < EVTX_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    headBytes += next.value.byteLength;
  }
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    yield* head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  if (looksLikeEvtx(Buffer.concat(head).subarray(0, EVTX_MAGIC.length))) {
    yield* rest();
    return;
  }
  const decoder = new StrictUtf8Decoder();
  for await (const piece of rest()) yield decoder.decode(piece, { stream: true });
  const last = decoder.decode();
  if (last) yield last;
}

/** A telemetry file on disk, read as an upload is: 1 MiB reads keep per-chunk overhead low. */
export function decodeFileChunks(file: string, maxBytes: number): AsyncGenerator<string | Uint8Array> {
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
