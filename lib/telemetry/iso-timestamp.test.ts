import { describe, expect, it } from "vitest";
import { formatMicros, parseIsoTimestamp } from "./iso-timestamp";

describe("parseIsoTimestamp", () => {
  it("keeps all 7 fractional digits in the text and microseconds in the number", () => {
    expect(parseIsoTimestamp("2023-12-21T19:59:50.2396695Z")).toEqual({
      text: "2023-12-21T19:59:50.2396695Z",
      us: Date.UTC(2023, 11, 21, 19, 59, 50) * 1000 + 239669,
    });
  });

  it("pads short fractions and accepts none", () => {
    expect(parseIsoTimestamp("2023-12-21T19:59:50.5Z")?.text).toBe("2023-12-21T19:59:50.5000000Z");
    expect(parseIsoTimestamp("2023-12-21 19:59:50")?.text).toBe("2023-12-21T19:59:50.0000000Z");
  });

  it("converts an offset to UTC", () => {
    expect(parseIsoTimestamp("2023-12-21T21:59:50.1234567+02:00")?.text).toBe("2023-12-21T19:59:50.1234567Z");
  });

  it("refuses impossible dates and free text", () => {
    expect(parseIsoTimestamp("2023-02-30T00:00:00Z")).toBeNull();
    expect(parseIsoTimestamp("yesterday")).toBeNull();
    expect(parseIsoTimestamp("2023-12-21T24:00:00Z")).toBeNull();
  });

  it("formats microseconds back to 7-digit text", () => {
    expect(formatMicros(Date.UTC(2023, 11, 21, 19, 59, 50) * 1000 + 239669)).toBe("2023-12-21T19:59:50.2396690Z");
  });
});
