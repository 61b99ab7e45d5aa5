import { describe, expect, it } from "vitest";
import { builtInViews, savedViewSchema, viewQuery, weekStart } from "./saved-views";

describe("saved views", () => {
  it("starts the week on Monday, UTC", () => {
    // 2026-11-27 is a Friday; 2026-11-29 a Sunday; 2026-11-23 the Monday of both.
    expect(weekStart(new Date("2026-11-27T23:59:59Z"))).toBe("2026-11-23");
    expect(weekStart(new Date("2026-11-29T12:00:00Z"))).toBe("2026-11-23");
    expect(weekStart(new Date("2026-11-23T00:00:00Z"))).toBe("2026-11-23");
    expect(weekStart(new Date("2026-11-30T00:00:00Z"))).toBe("2026-11-30");
  });

  it("keeps a view's filters and sort, not its page", () => {
    expect(viewQuery("?page=3&status=new&q=a+b&sort=device.asc")).toBe("status=new&q=a+b&sort=device.asc");
    expect(savedViewSchema.parse({ name: "  Night shift ", query: "assignee=mine&page=2" })).toEqual({ name: "Night shift", query: "assignee=mine" });
    expect(savedViewSchema.safeParse({ name: " ", query: "" }).success).toBe(false);
  });

  it("builds the three built-in views for the current week", () => {
    expect(builtInViews(new Date("2026-11-27T10:00:00Z"))).toEqual([
      { name: "My open", query: "assignee=mine" },
      { name: "New critical and high", query: "status=new&severityRank=2-3" },
      { name: "Resolved this week", query: "status=resolved&severityRank=all&resolvedFrom=2026-11-23" },
    ]);
  });
});
