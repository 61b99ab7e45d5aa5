import { describe, expect, it } from "vitest";
import { daysSummary, fillDays, findingsListHref, isFilterableAddress, nextDay, type DayBucket } from "./overview";

const zeros = { critical: 0, high: 0, medium: 0, low: 0 };

describe("nextDay", () => {
  it("steps one UTC day, across month, year and leap-day ends", () => {
    expect(nextDay("2026-11-24")).toBe("2026-11-25");
    expect(nextDay("2026-11-30")).toBe("2026-12-01");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(nextDay("2024-02-28")).toBe("2024-02-29");
    expect(nextDay("2023-02-28")).toBe("2023-03-01");
  });

  it("answers null for anything but a real YYYY-MM-DD date", () => {
    expect([nextDay("2023-02-29"), nextDay("2026-13-01"), nextDay("2026-11-24T00:00:00Z"), nextDay(""), nextDay("20261124")]).toEqual([null, null, null, null, null]);
  });
});

describe("fillDays", () => {
  it("fills the days between the first and the last with zeros, oldest first", () => {
    const buckets = fillDays([
      { day: "2026-11-26", severityRank: 3, count: 1 },
      { day: "2026-11-24", severityRank: 0, count: 4 },
      { day: "2026-11-24", severityRank: 2, count: 2 },
      { day: "2026-11-26", severityRank: 0, count: 5 },
    ]);
    expect(buckets).toEqual<DayBucket[]>([
      { day: "2026-11-24", counts: { critical: 0, high: 2, medium: 0, low: 4 }, total: 6 },
      { day: "2026-11-25", counts: zeros, total: 0 },
      { day: "2026-11-26", counts: { critical: 1, high: 0, medium: 0, low: 5 }, total: 6 },
    ]);
  });

  it("adds up repeated rows and leaves out unknown ranks and days that are not dates", () => {
    expect(
      fillDays([
        { day: "2026-11-24", severityRank: 1, count: 2 },
        { day: "2026-11-24", severityRank: 1, count: 3 },
        { day: "2026-11-24", severityRank: 7, count: 9 },
        { day: "not a day", severityRank: 1, count: 9 },
      ]),
    ).toEqual<DayBucket[]>([{ day: "2026-11-24", counts: { ...zeros, medium: 5 }, total: 5 }]);
    expect(fillDays([])).toEqual([]);
  });

  it("keeps only the days with findings when they span more than the most days it fills", () => {
    const buckets = fillDays(
      [
        { day: "2026-01-01", severityRank: 0, count: 1 },
        { day: "2026-01-05", severityRank: 0, count: 1 },
      ],
      4,
    );
    expect(buckets.map((bucket) => bucket.day)).toEqual(["2026-01-01", "2026-01-05"]);
    expect(fillDays([{ day: "2026-01-01", severityRank: 0, count: 1 }, { day: "2026-01-04", severityRank: 0, count: 1 }], 4).map((bucket) => bucket.day)).toEqual([
      "2026-01-01",
      "2026-01-02",
      "2026-01-03",
      "2026-01-04",
    ]);
  });
});

describe("findingsListHref", () => {
  it("links the open queue at every severity by default, leaving the list's default status out", () => {
    expect(findingsListHref({})).toBe("/findings?severityRank=all");
    expect(findingsListHref({ status: "open" })).toBe("/findings?severityRank=all");
    expect(findingsListHref({ status: "investigating" })).toBe("/findings?status=investigating&severityRank=all");
  });

  it("names the unassigned `none` and an assignee by username", () => {
    expect(findingsListHref({ assignee: null })).toBe("/findings?assignee=none&severityRank=all");
    expect(findingsListHref({ assignee: "alice" })).toBe("/findings?assignee=alice&severityRank=all");
  });

  it("filters a day as a range up to the next day, and a severity by its rank", () => {
    expect(findingsListHref({ status: "all", severity: "critical", firstSeenDay: "2026-12-31" })).toBe(
      "/findings?status=all&severityRank=3&firstSeenFrom=2026-12-31&firstSeenTo=2027-01-01",
    );
    expect(findingsListHref({ status: "all", severity: "low", firstSeenDay: "2026-11-24" })).toBe("/findings?status=all&severityRank=0&firstSeenFrom=2026-11-24&firstSeenTo=2026-11-25");
    // A day that is not a date filters nothing rather than a wrong range.
    expect(findingsListHref({ status: "all", firstSeenDay: "2026-02-30" })).toBe("/findings?status=all&severityRank=all");
  });

  it("encodes attacker-controlled names as one parameter each", () => {
    const href = findingsListHref({ device: "ws-1&status=resolved", process: "a b#<script>.exe", destination: "2001:db8::1" });
    expect(href).toBe("/findings?severityRank=all&device=ws-1%26status%3Dresolved&process=a+b%23%3Cscript%3E.exe&destination=2001%3Adb8%3A%3A1");
    expect(Object.fromEntries(new URL(href, "http://cipherwatch.invalid").searchParams)).toEqual({
      severityRank: "all",
      device: "ws-1&status=resolved",
      process: "a b#<script>.exe",
      destination: "2001:db8::1",
    });
  });
});

describe("isFilterableAddress", () => {
  it("takes IPv4 and IPv6 addresses, nothing else", () => {
    expect(["203.0.113.10", "2001:db8::1", "::1"].map(isFilterableAddress)).toEqual([true, true, true]);
    expect(["", "203.0.113.300", "evil.example", "203.0.113.10:4444", "<script>"].map(isFilterableAddress)).toEqual([false, false, false, false, false]);
  });
});

describe("daysSummary", () => {
  it("says the span, the total and each severity's total", () => {
    const buckets = fillDays([
      { day: "2026-11-24", severityRank: 0, count: 2 },
      { day: "2026-11-25", severityRank: 0, count: 3 },
      { day: "2026-11-25", severityRank: 3, count: 1 },
    ]);
    expect(daysSummary(buckets)).toBe("Findings per day by severity, by first connection (UTC), from 2026-11-24 to 2026-11-25 (2 days): 6 findings; 1 critical, 0 high, 0 medium, 5 low.");
    expect(daysSummary(buckets.slice(0, 1))).toBe("Findings per day by severity, by first connection (UTC), on 2026-11-24: 2 findings; 0 critical, 0 high, 0 medium, 2 low.");
    expect(daysSummary(fillDays([{ day: "2026-11-24", severityRank: 2, count: 1 }]))).toBe(
      "Findings per day by severity, by first connection (UTC), on 2026-11-24: 1 finding; 0 critical, 1 high, 0 medium, 0 low.",
    );
    expect(daysSummary([])).toBe("Findings per day by severity: none.");
  });
});
