import { describe, expect, it } from "vitest";
import { actorCan, actorLabel, isRole, PERMISSIONS, type Actor } from "./roles";

const user = (role: "viewer" | "analyst" | "admin"): Actor => ({ kind: "user", id: "u1", username: "kim", role });
const token: Actor = { kind: "token", id: "t1", name: "edr-export" };

function granted(actor: Actor): string[] {
  return PERMISSIONS.filter((permission) => actorCan(actor, permission));
}

describe("role matrix", () => {
  it("grants each role and a token exactly the issue's table", () => {
    expect(granted(user("viewer"))).toEqual(["read"]);
    expect(granted(user("analyst"))).toEqual(["read", "upload", "edit"]);
    expect(granted(user("admin"))).toEqual(["read", "upload", "edit", "administer"]);
    expect(granted(token)).toEqual(["upload"]);
  });

  it("knows the three roles and nothing else", () => {
    expect(["viewer", "analyst", "admin", "Admin", "root", "", null].map(isRole)).toEqual([true, true, true, false, false, false, false]);
  });

  it("labels a token apart from an account of the same name", () => {
    expect(actorLabel(user("admin"))).toBe("kim");
    expect(actorLabel(token)).toBe("token:edr-export");
  });
});
