import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32";

const ascii = (text: string) => new TextEncoder().encode(text);

describe("crc32", () => {
  it("gives the standard check value for 123456789", () => {
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
  });

  it("is 0 for no bytes", () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("continues over a further range, ranges of any length and alignment", () => {
    const bytes = ascii("The quick brown fox jumps over the lazy dog");
    expect(crc32(bytes)).toBe(0x414fa339);
    for (const cut of [0, 1, 3, 5, 8, 42]) expect(crc32(bytes, cut, bytes.length, crc32(bytes, 0, cut))).toBe(0x414fa339);
    expect(crc32(ascii("xx123456789yy"), 2, 11)).toBe(0xcbf43926);
  });
});
