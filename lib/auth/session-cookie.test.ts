import { describe, expect, it } from "vitest";
import { hasSessionCookie } from "./session-cookie";

describe("hasSessionCookie", () => {
  it("sees our session cookie, over HTTP or HTTPS, and nothing else", () => {
    expect(hasSessionCookie(["cw-theme", "cipherwatch.session_token"])).toBe(true);
    expect(hasSessionCookie(["__Secure-cipherwatch.session_token"])).toBe(true);
    expect(hasSessionCookie(["cipherwatch.session_data", "better-auth.session_token"])).toBe(false);
    expect(hasSessionCookie([])).toBe(false);
  });
});
