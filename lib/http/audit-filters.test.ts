import { describe, expect, it } from "vitest";
import { auditApiFilters, filterSearch, readAuditFilterValues } from "./audit-filters";

const blank = { actor: "", action: "", from: "", to: "" };

describe("readAuditFilterValues", () => {
  it("takes the first of repeated parameters and treats missing ones as empty", () => {
    expect(readAuditFilterValues({ actor: [" kim ", "lee"], action: "user.create", page: "2" })).toEqual({
      values: { actor: "kim", action: "user.create", from: "", to: "" },
      page: "2",
    });
  });
});

describe("auditApiFilters", () => {
  it("filters nothing when the form is empty, from the first page", () => {
    expect(auditApiFilters(blank, "")).toEqual({ ok: true, filters: {}, page: 1 });
  });

  it("reads the datetime-local bounds as UTC", () => {
    expect(auditApiFilters({ actor: "kim", action: "session.sign_in_failed", from: "2026-03-01T08:30", to: "2026-03-02T00:00:30" }, "3")).toEqual({
      ok: true,
      filters: { actor: "kim", action: "session.sign_in_failed", from: "2026-03-01T08:30:00.000Z", to: "2026-03-02T00:00:30.000Z" },
      page: 3,
    });
  });

  it("names every problem of a hand-edited URL", () => {
    expect(auditApiFilters({ actor: "", action: "user.delete_everything", from: "yesterday", to: "2026-02-30T00:00" }, "0")).toEqual({
      ok: false,
      problems: [
        "Action is not one the audit log records: choose one from the list.",
        "From is not a date and time (YYYY-MM-DDTHH:MM, UTC).",
        "To is not a date and time (YYYY-MM-DDTHH:MM, UTC).",
        "The page is a whole number from 1.",
      ],
    });
    expect(auditApiFilters({ ...blank, from: "2026-03-02T00:00", to: "2026-03-01T00:00" }, "")).toEqual({ ok: false, problems: ["From must be before To."] });
    expect(auditApiFilters(blank, "1.5")).toMatchObject({ ok: false });
  });
});

describe("filterSearch", () => {
  it("leaves out empty values", () => {
    expect(filterSearch({ actor: "kim lee", action: "", from: undefined, page: 2 })).toBe("actor=kim+lee&page=2");
  });
});
