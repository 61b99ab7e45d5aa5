import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it("keeps a path on this site with its query", () => {
    expect(safeNextPath("/findings?severity=high&q=svc")).toBe("/findings?severity=high&q=svc");
    expect(safeNextPath("/findings/abc123#evidence")).toBe("/findings/abc123#evidence");
  });

  it("sends anything that could leave the site, or loop, to the findings", () => {
    for (const next of [null, "", "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/\tx", "/login?next=/x", "findings"]) {
      expect(safeNextPath(next)).toBe("/");
    }
  });
});
