import { describe, expect, it } from "vitest";
import { datetimeDiffMinutes, kustoRound, sumKnown } from "./kusto-functions";

describe("kusto functions", () => {
  it("datetime_diff counts boundaries, not elapsed minutes", () => {
    const at = (h: number, m: number, s: number) => Date.UTC(2024, 0, 1, h, m, s) * 1000;
    expect(datetimeDiffMinutes(at(10, 5, 1), at(10, 0, 59))).toBe(5);
    expect(datetimeDiffMinutes(at(10, 1, 0), at(10, 0, 59))).toBe(1);
    expect(datetimeDiffMinutes(at(10, 0, 59), at(10, 0, 0))).toBe(0);
  });

  it("round is half away from zero without binary noise", () => {
    expect(kustoRound(1.005, 2)).toBe(1.01);
    expect(kustoRound(-2.345, 2)).toBe(-2.35);
    expect(kustoRound(0.004, 2)).toBe(0);
    expect(kustoRound(null, 2)).toBeNull();
  });

  it("sum skips unknowns and is null only when everything is unknown", () => {
    expect(sumKnown([1, null, 2])).toBe(3);
    expect(sumKnown([null, null])).toBeNull();
    expect(sumKnown([0])).toBe(0);
  });
});
