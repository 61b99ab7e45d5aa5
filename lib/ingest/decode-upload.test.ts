import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeUploadChunks, isGzip } from "./decode-upload";
import { TelemetryFileError } from "./telemetry-file-error";

const CSV = "Timestamp,DeviceName,ActionType\r\n2024-01-01T00:00:00Z,wś,ImageLoaded\r\n";

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function decodeAll(bytes: Uint8Array, maxBytes: number, size = 7): Promise<string> {
  let text = "";
  for await (const chunk of decodeUploadChunks(pieces(bytes, size), maxBytes)) text += chunk;
  return text;
}

async function decodeError(bytes: Uint8Array, maxBytes: number): Promise<TelemetryFileError> {
  try {
    await decodeAll(bytes, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(TelemetryFileError);
    return error as TelemetryFileError;
  }
  throw new Error("expected a TelemetryFileError");
}

const NOT_UTF8 = "The file is not UTF-8 text (Latin-1 or UTF-16?): export it as UTF-8, as the Defender portal and API do.";

describe("decodeUploadChunks", () => {
  it("passes plain UTF-8 through, even when a character is split across chunks", async () => {
    expect(await decodeAll(new TextEncoder().encode(CSV), 1000, 1)).toBe(CSV);
  });

  it("inflates gzip recognised by its magic bytes", async () => {
    const gz = gzipSync(Buffer.from(CSV));
    expect(isGzip(gz)).toBe(true);
    expect(await decodeAll(gz, 1000)).toBe(CSV);
  });

  it("refuses a truncated gzip with a clear 400", async () => {
    const gz = gzipSync(Buffer.from(CSV.repeat(50)));
    const error = await decodeError(gz.subarray(0, gz.length - 12), 100_000);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^The gzip file is truncated or corrupt/);
  });

  it("refuses an upload or an inflated gzip past the limit with a 413", async () => {
    expect((await decodeError(new TextEncoder().encode("a".repeat(2000)), 1000)).status).toBe(413);
    const bomb = await decodeError(gzipSync(Buffer.alloc(200_000, "a")), 100_000);
    expect([bomb.status, bomb.message]).toEqual([413, "The gzip file inflates to more than the upload limit of 98 KiB (CW_MAX_UPLOAD_BYTES)."]);
  });

  it("refuses bytes that are not UTF-8 with a 400 rather than storing replacement characters", async () => {
    const latin1 = Buffer.concat([Buffer.from("Timestamp,DeviceName\r\n2024-01-01T00:00:00Z,w"), Buffer.from([0xe9, 0x2c]), Buffer.from("x\r\n")]);
    for (const bytes of [latin1, gzipSync(latin1)]) {
      const error = await decodeError(bytes, 100_000);
      expect([error.status, error.message]).toEqual([400, NOT_UTF8]);
    }
    // A truncated character at the very end is not UTF-8 either.
    const cut = await decodeError(new TextEncoder().encode("a,b\nś").subarray(0, 5), 1000);
    expect([cut.status, cut.message]).toEqual([400, NOT_UTF8]);
  });
});
