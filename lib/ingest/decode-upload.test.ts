import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeUpload, isGzip } from "./decode-upload";
import { TelemetryFileError } from "./telemetry-file-error";

const CSV = "Timestamp,DeviceName,ActionType\r\n2024-01-01T00:00:00Z,ws,ImageLoaded\r\n";

describe("decodeUpload", () => {
  it("passes plain UTF-8 through, including non-ASCII", () => {
    expect(decodeUpload(new TextEncoder().encode("é,ü\n"), 1000)).toBe("é,ü\n");
  });

  it("inflates gzip recognised by its magic bytes", () => {
    const gz = gzipSync(Buffer.from(CSV));
    expect(isGzip(gz)).toBe(true);
    expect(decodeUpload(gz, 1000)).toBe(CSV);
  });

  it("refuses a truncated gzip with a clear 400", () => {
    const gz = gzipSync(Buffer.from(CSV.repeat(50)));
    const truncated = gz.subarray(0, gz.length - 12);
    expect(() => decodeUpload(truncated, 100_000)).toThrow(TelemetryFileError);
    try {
      decodeUpload(truncated, 100_000);
    } catch (error) {
      expect((error as TelemetryFileError).status).toBe(400);
      expect((error as Error).message).toMatch(/^The gzip file is truncated or corrupt/);
    }
  });

  it("refuses a gzip that inflates past the limit with a 413", () => {
    const bomb = gzipSync(Buffer.alloc(200_000, "a"));
    try {
      decodeUpload(bomb, 100_000);
      throw new Error("expected a TelemetryFileError");
    } catch (error) {
      expect((error as TelemetryFileError).status).toBe(413);
    }
  });
});
