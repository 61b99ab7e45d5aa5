import { describe, expect, it } from "vitest";
import { formatMicros, parseAnyIsoTimestamp, parseCanonicalTimestamp, parseIsoTimestamp } from "./iso-timestamp";

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

describe("parseCanonicalTimestamp (the fast path)", () => {
  it("reads the export form with 0 to 7 digits exactly as the general reader does", () => {
    expect(parseCanonicalTimestamp("2023-12-21T19:59:50Z")).toEqual({ text: "2023-12-21T19:59:50.0000000Z", us: Date.UTC(2023, 11, 21, 19, 59, 50) * 1000 });
    expect(parseCanonicalTimestamp("2023-12-21T19:59:50.05Z")).toEqual({ text: "2023-12-21T19:59:50.0500000Z", us: Date.UTC(2023, 11, 21, 19, 59, 50) * 1000 + 50000 });
    const samples = [
      "2023-12-21T19:59:50.2396695Z", "2023-12-21T19:59:50.1Z", "2024-02-29T23:59:59.9999999Z", "1999-12-31T00:00:00.000001Z",
      "2023-12-21T19:59:50.0000000Z", "2023-01-01T00:00:00.123Z",
    ];
    for (const sample of samples) expect(parseCanonicalTimestamp(sample)).toEqual(parseAnyIsoTimestamp(sample));
  });

  it("leaves every other form, and every invalid one, to the general reader", () => {
    const others = [
      "2023-02-30T00:00:00Z", "2023-12-21T24:00:00Z", "2023-12-21T19:60:00Z", "2023-13-01T00:00:00Z", "0050-01-01T00:00:00Z",
      "2023-12-21 19:59:50Z", "2023-12-21T19:59:50.Z", "2023-12-21T19:59:50.12345678Z", "2023-12-21T19:59:50+02:00",
      "2023-12-21t19:59:50z", "2023-12-21T19:59:5xZ", "2023-12-2xT19:59:50Z", "2023-12-21T19:59:50.12a4567Z",
    ];
    for (const other of others) expect(parseCanonicalTimestamp(other)).toBeUndefined();
    expect(parseIsoTimestamp("2023-12-21t19:59:50z")?.text).toBe("2023-12-21T19:59:50.0000000Z");
    expect(parseIsoTimestamp("2023-02-30T00:00:00Z")).toBeNull();
  });
});
