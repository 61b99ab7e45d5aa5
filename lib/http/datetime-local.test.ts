import { describe, expect, it } from "vitest";
import { datetimeLocalAsUtc } from "./datetime-local";

describe("datetimeLocalAsUtc", () => {
  it("reads a datetime-local value, to the minute, second or millisecond, as UTC", () => {
    expect(datetimeLocalAsUtc("2026-03-01T08:30")).toBe("2026-03-01T08:30:00.000Z");
    expect(datetimeLocalAsUtc("2026-03-01T08:30:15")).toBe("2026-03-01T08:30:15.000Z");
    expect(datetimeLocalAsUtc("2026-03-01T08:30:15.250")).toBe("2026-03-01T08:30:15.250Z");
  });

  it("refuses anything else, and times that do not exist", () => {
    for (const value of ["", "2026-03-01", "2026-03-01 08:30", "2026-03-01T08:30Z", "2026-03-01T08:30+02:00", "yesterday", "2026-02-30T00:00", "2026-03-01T24:30", "2026-13-01T00:00"]) {
      expect(datetimeLocalAsUtc(value)).toBeNull();
    }
  });
});
