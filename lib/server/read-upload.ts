import "server-only";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import busboy, { type Busboy } from "busboy";
import { decodeUploadChunks, describeBytes } from "../ingest/decode-upload";
import { TelemetryFileError } from "../ingest/telemetry-file-error";
import type { UploadChunk } from "../ingest/telemetry-stream-parser";
import { ApiError } from "./api-error";

export interface UploadedFile {
  fileName: string;
  /** The file's text as it arrives (inflated when gzip). */
  chunks: AsyncIterable<UploadChunk>;
  /**
   * Reads and drops what the client is still sending after the upload was refused part way, so
   * it gets the answer rather than a reset connection (closing a socket with unread data resets
   * it). Bounded: past DISCARD_MAX_BYTES or DISCARD_MAX_MS the connection is let go.
   */
  discardRest(): Promise<void>;
}

const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 10_000;

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
  if (!request.body) throw new ApiError(400, "empty_body", "The request has no body: send the export file as the body.");
  if (contentType.startsWith("multipart/form-data")) return readMultipartFile(request.body, contentType, maxBytes);
  const url = new URL(request.url);
  const fileName = cleanFileName(request.headers.get("x-file-name") ?? url.searchParams.get("name") ?? "upload");
  // One iterator, shared: what the parser did not read is still there to discard.
  const body = (request.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  return {
    fileName,
    chunks: decodeUploadChunks({ [Symbol.asyncIterator]: () => body }, maxBytes),
    discardRest: () => discardBody(body, Date.now() + DISCARD_MAX_MS),
  };
}

/**
 * Reads and drops the rest of a body, up to DISCARD_MAX_BYTES or the deadline; past either it
 * stops reading. The iterator is closed without waiting: a client that stalls mid-body would
 * hold its pending read, and the answer, for ever.
 */
async function discardBody(body: AsyncIterator<Uint8Array>, deadline: number): Promise<void> {
  for (let discarded = 0; discarded <= DISCARD_MAX_BYTES; ) {
    const next = await withinDiscardTime(body.next(), deadline);
    if (next === null) break;
    if (next.done) return;
    discarded += next.value.byteLength;
  }
  void body.return?.().catch(() => undefined);
}

/** The promise's value, or null once the deadline passes. */
function withinDiscardTime<T>(work: Promise<T>, deadline: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()))));
  return Promise.race([work.catch(() => null), timeUp]).finally(() => clearTimeout(timer));
}

const ONE_FILE_EXPECTED = () => new ApiError(400, "one_file_expected", 'Send exactly one file in the multipart field "file".');

/**
 * The `file` part of a multipart body, streamed as it arrives (the platform's formData() would
 * hold a multi-gigabyte file in memory). The file's text ends only once the whole body has been
 * read, so a second file or a malformed tail still fails the upload; a body with no file is refused.
 */
function readMultipartFile(body: ReadableStream<Uint8Array>, contentType: string, maxBytes: number): Promise<UploadedFile> {
  let parser: Busboy;
  try {
    parser = busboy({ headers: { "content-type": contentType }, limits: { files: 1 } });
  } catch {
    throw new ApiError(400, "malformed_multipart", "The multipart body could not be read (no boundary in its content type).");
  }
  let bodyProblem: ApiError | null = null;
  const bodyRead = new Promise<void>((resolve) => parser.on("close", resolve));
  let fileChunks: AsyncIterator<Uint8Array> | null = null;
  // Drop the file's unread part, so the parser reads the rest of the body.
  const discardRest = async () => {
    const deadline = Date.now() + DISCARD_MAX_MS;
    if (fileChunks) await discardBody(fileChunks, deadline);
    await withinDiscardTime(bodyRead, deadline);
  };
  return new Promise((resolve, reject) => {
    let fileSeen = false;
    const fail = (problem: ApiError) => {
      bodyProblem ??= problem;
      reject(problem); // no effect once the file was handed over: its reader sees bodyProblem
    };
    parser.on("file", (field, stream, { filename }) => {
      if (field !== "file" || fileSeen) {
        stream.resume();
        return;
      }
      fileSeen = true;
      // One iterator, shared: what the parser did not read is still there to discard.
      const chunks = (fileChunks = stream[Symbol.asyncIterator]());
      async function* fileThenRestOfBody(): AsyncGenerator<UploadChunk> {
        try {
          yield* decodeUploadChunks({ [Symbol.asyncIterator]: () => chunks }, maxBytes);
        } catch (error) {
          // The parser breaks the file's stream when the body is malformed (cut short, say).
          if (error instanceof TelemetryFileError) throw error;
          throw bodyProblem ?? new ApiError(400, "malformed_multipart", "The multipart body ended before the file's closing boundary.");
        }
        await bodyRead;
        if (bodyProblem) throw bodyProblem;
      }
      resolve({ fileName: cleanFileName(filename ?? "upload"), chunks: fileThenRestOfBody(), discardRest });
    });
    parser.on("filesLimit", () => fail(ONE_FILE_EXPECTED()));
    parser.on("error", () => {
      fail(new ApiError(400, "malformed_multipart", "The multipart body could not be read."));
      parser.emit("close");
    });
    parser.on("close", () => {
      if (!fileSeen) fail(ONE_FILE_EXPECTED());
    });
    Readable.fromWeb(body as NodeReadableStream<Uint8Array>).pipe(parser);
  });
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
