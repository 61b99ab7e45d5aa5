import { describe, expect, it } from "vitest";
import { applyTriageChange, NEW_TRIAGE, newActivitySince, tagSchema, triageChangeSchema, TriageRuleError, type EvidenceMark, type TriageState } from "./triage-state";

const resolvedBenign: TriageState = { status: "resolved", classification: "benign", reason: "Veeam backup job", assignee: "alice", tags: ["backup"] };

describe("applyTriageChange", () => {
  it("moves a new finding to investigating, with one history entry", () => {
    expect(applyTriageChange(NEW_TRIAGE, { status: "investigating" })).toEqual({
      next: { ...NEW_TRIAGE, status: "investigating" },
      changes: [{ field: "status", from: "new", to: "investigating" }],
    });
  });

  it("resolves only with a classification and a reason", () => {
    expect(() => applyTriageChange(NEW_TRIAGE, { status: "resolved" })).toThrow("A resolved finding needs a classification");
    expect(() => applyTriageChange(NEW_TRIAGE, { status: "resolved", classification: "benign" })).toThrow("Give the reason for this classification.");
    expect(() => applyTriageChange(NEW_TRIAGE, { status: "resolved", classification: "benign", reason: "" })).toThrow(TriageRuleError);
    expect(applyTriageChange(NEW_TRIAGE, { status: "resolved", classification: "benign", reason: "Veeam backup job" })).toEqual({
      next: { ...NEW_TRIAGE, status: "resolved", classification: "benign", reason: "Veeam backup job" },
      changes: [
        { field: "status", from: "new", to: "resolved" },
        { field: "classification", from: null, to: "benign" },
        { field: "reason", from: null, to: "Veeam backup job" },
      ],
    });
  });

  it("asks for a new reason with a new classification, and keeps both through other changes", () => {
    expect(() => applyTriageChange(resolvedBenign, { classification: "false_positive" })).toThrow("Give the reason for this classification.");
    expect(applyTriageChange(resolvedBenign, { classification: "true_positive", reason: "Implant confirmed by IR" }).changes).toEqual([
      { field: "classification", from: "benign", to: "true_positive" },
      { field: "reason", from: "Veeam backup job", to: "Implant confirmed by IR" },
    ]);
    expect(applyTriageChange(resolvedBenign, { tags: ["backup", "veeam"] })).toEqual({
      next: { ...resolvedBenign, tags: ["backup", "veeam"] },
      changes: [{ field: "tags", from: "backup", to: "backup, veeam" }],
    });
  });

  it("clears the verdict when the finding leaves resolved, and refuses one on an open finding", () => {
    expect(applyTriageChange(resolvedBenign, { status: "investigating" })).toEqual({
      next: { ...resolvedBenign, status: "investigating", classification: null, reason: null },
      changes: [
        { field: "status", from: "resolved", to: "investigating" },
        { field: "classification", from: "benign", to: null },
        { field: "reason", from: "Veeam backup job", to: null },
      ],
    });
    expect(() => applyTriageChange(NEW_TRIAGE, { classification: "benign", reason: "x" })).toThrow("set status to resolved");
  });

  it("records assignee and tag changes, tags once each, and nothing for a change that changes nothing", () => {
    expect(applyTriageChange(NEW_TRIAGE, { assignee: "bob", tags: ["c2", "c2", "apt"] })).toEqual({
      next: { ...NEW_TRIAGE, assignee: "bob", tags: ["c2", "apt"] },
      changes: [
        { field: "assignee", from: null, to: "bob" },
        { field: "tags", from: null, to: "c2, apt" },
      ],
    });
    expect(applyTriageChange(resolvedBenign, { status: "resolved", assignee: "alice" }).changes).toEqual([]);
    expect(applyTriageChange(resolvedBenign, { assignee: null }).changes).toEqual([{ field: "assignee", from: "alice", to: null }]);
  });
});

describe("triageChangeSchema and tags", () => {
  it("normalises tags and refuses markup, empty changes and unknown fields", () => {
    expect(tagSchema.parse("  C2 ")).toBe("c2");
    expect(tagSchema.safeParse("<img src=x>").success).toBe(false);
    expect(triageChangeSchema.parse({ reason: "  why  ", tags: ["APT-29"] })).toEqual({ reason: "why", tags: ["apt-29"] });
    expect(triageChangeSchema.safeParse({}).success).toBe(false);
    expect(triageChangeSchema.safeParse({ status: "closed" }).success).toBe(false);
    expect(triageChangeSchema.safeParse({ status: "new", owner: "x" }).success).toBe(false);
  });
});

describe("newActivitySince", () => {
  const resolvedMark: EvidenceMark = { lastConnection: "2026-11-20T10:00:00.000000Z", connections: 40, rules: ["crypto-load-then-connect"] };

  it("sees nothing new when the lookback only dropped old connections", () => {
    expect(newActivitySince(resolvedMark, { ...resolvedMark, connections: 30 })).toEqual([]);
  });

  it("sees a connection later by less than a millisecond", () => {
    const stored = { ...resolvedMark, lastConnection: "2026-11-20T10:00:00.0000001Z" };
    expect(newActivitySince(stored, { ...stored, lastConnection: "2026-11-20T10:00:00.0000009Z" })).toHaveLength(0);
    expect(newActivitySince(stored, { ...stored, lastConnection: "2026-11-20T10:00:00.0000019Z" })).toEqual([
      "connections after it was resolved: last seen 2026-11-20T10:00:00.0000001Z, now 2026-11-20T10:00:00.0000019Z (40 connections then, 40 now)",
    ]);
  });

  it("names later connections and rules that had not fired", () => {
    expect(newActivitySince(resolvedMark, { lastConnection: "2026-11-21T08:30:00.000000Z", connections: 45, rules: ["crypto-load-then-connect", "beacon-only"] })).toEqual([
      "connections after it was resolved: last seen 2026-11-20T10:00:00.000000Z, now 2026-11-21T08:30:00.000000Z (40 connections then, 45 now)",
      "a new rule: Strong beacon from a non-browser process (no DLL load needed)",
    ]);
  });
});
