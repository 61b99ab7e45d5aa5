import { describe, expect, it } from "vitest";
import { readTriageFilter } from "./triage-filter";

const read = (params: Record<string, string>, username: string | null = "alice") => readTriageFilter((key) => params[key], username);

describe("readTriageFilter", () => {
  it("keeps the open queue by default and for a status it does not know", () => {
    expect(read({})).toEqual({ statuses: ["new", "investigating"] });
    expect(read({ status: "closed" })).toEqual({ statuses: ["new", "investigating"] });
    expect(read({ status: "all" })).toEqual({ statuses: ["new", "investigating", "resolved"] });
    expect(read({ status: "Resolved" })).toEqual({ statuses: ["resolved"] });
  });

  it("reads the assignee as a username, mine or nobody", () => {
    expect(read({ assignee: "mine" }).assignee).toBe("alice");
    expect(read({ assignee: "mine" }, null).assignee).toBe("");
    expect(read({ assignee: "none" }).assignee).toBeNull();
    expect(read({ assignee: "bob" }).assignee).toBe("bob");
    expect("assignee" in read({ assignee: " " })).toBe(false);
  });

  it("keeps a known classification and a well-formed tag, and ignores others", () => {
    expect(read({ classification: "benign", tag: " C2 " })).toEqual({ statuses: ["resolved"], classification: "benign", tag: "c2" });
    expect(read({ classification: "benign", status: "all" })).toEqual({ statuses: ["new", "investigating", "resolved"], classification: "benign" });
    expect(read({ classification: "harmless", tag: "<script>" })).toEqual({ statuses: ["new", "investigating"] });
  });
});
