import { describe, expect, it } from "vitest";
import { cookieChangeRefusal, crossSiteRefusal, hostName, isAllowedHost, isJsonContentType } from "./request-hygiene";

describe("isAllowedHost", () => {
  it("answers loopback names on any port and the configured names, case-insensitively", () => {
    expect(["localhost:3000", "127.0.0.1", "[::1]:3000", "LOCALHOST"].map((host) => isAllowedHost(host, []))).toEqual([true, true, true, true]);
    expect(isAllowedHost("cw.corp.example:443", ["cw.corp.example"])).toBe(true);
    expect(isAllowedHost("CW.Corp.Example", ["cw.corp.example"])).toBe(true);
  });

  it("refuses other names (DNS rebinding), look-alikes and malformed headers", () => {
    expect(isAllowedHost("attacker.example", [])).toBe(false);
    expect(isAllowedHost("localhost.attacker.example", [])).toBe(false);
    expect(isAllowedHost("127.0.0.2", [])).toBe(false);
    expect(isAllowedHost(null, [])).toBe(false);
    expect(isAllowedHost("", [])).toBe(false);
    expect(isAllowedHost("localhost/evil", [])).toBe(false);
    expect(isAllowedHost("user@localhost", [])).toBe(false);
  });

  it("reads the name of a Host header without its port", () => {
    expect([hostName("Example.COM:8080"), hostName("[::1]:3217"), hostName("a b")]).toEqual(["example.com", "[::1]", null]);
  });
});

describe("crossSiteRefusal", () => {
  const request = (method: string, origin: string | null, secFetchSite: string | null) => crossSiteRefusal({ method, host: "localhost:3000", origin, secFetchSite });

  it("lets same-origin changes, links followed from elsewhere, and scripts without browser headers through", () => {
    expect(request("POST", "http://localhost:3000", "same-origin")).toBeNull();
    expect(request("DELETE", null, "same-origin")).toBeNull();
    expect(request("PUT", "http://LOCALHOST:3000", null)).toBeNull();
    expect(crossSiteRefusal({ method: "GET", host: "localhost:3000", origin: null, secFetchSite: "cross-site", secFetchMode: "navigate" })).toBeNull();
    expect(request("GET", null, "same-origin")).toBeNull();
    expect(request("POST", null, null)).toBeNull();
    expect(request("POST", null, "none")).toBeNull();
  });

  it("refuses a change from another origin, port or site", () => {
    expect(request("POST", "https://attacker.example", null)).toBe("A POST from another origin is refused.");
    expect(request("PATCH", "http://localhost:4000", null)).toBe("A PATCH from another origin is refused.");
    expect(request("PUT", "null", null)).toBe("A PUT from another origin is refused.");
    expect(request("POST", "http://127.0.0.1:3000", null)).toBe("A POST from another origin is refused.");
    expect(request("DELETE", null, "cross-site")).toBe("A DELETE from another site (Sec-Fetch-Site: cross-site) is refused.");
    expect(request("POST", "http://localhost:3000", "same-site")).toBe("A POST from another site (Sec-Fetch-Site: same-site) is refused.");
    // A read another site's page makes (an <img>, a fetch) has side effects too.
    expect(crossSiteRefusal({ method: "GET", host: "localhost:3000", origin: null, secFetchSite: "cross-site", secFetchMode: "no-cors" })).toBe(
      "A request another site's page made (Sec-Fetch-Site: cross-site) is refused.",
    );
    expect(request("GET", "https://attacker.example", "cross-site")).toBe("A request another site's page made (Sec-Fetch-Site: cross-site) is refused.");
  });
});

describe("crossSiteRefusal behind a reverse proxy", () => {
  it("takes an Origin naming a configured team host even when the proxy rewrote Host, and no other", () => {
    const behindProxy = (origin: string) => crossSiteRefusal({ method: "POST", host: "127.0.0.1:3000", origin, secFetchSite: "same-origin" }, ["cw.corp.example"]);
    expect(behindProxy("https://cw.corp.example")).toBeNull();
    expect(behindProxy("https://CW.corp.example:8443")).toBeNull();
    expect(behindProxy("https://cw.corp.example.attacker.example")).toBe("A POST from another origin is refused.");
  });
});

describe("cookieChangeRefusal", () => {
  it("lets a cookie change through only with an Origin or Sec-Fetch-Site: same-origin", () => {
    const refused = (method: string, origin: string | null, secFetchSite: string | null) => cookieChangeRefusal({ method, origin, secFetchSite }) !== null;
    expect(refused("POST", null, null)).toBe(true);
    expect(refused("DELETE", null, "same-site")).toBe(true);
    expect(refused("PUT", "http://localhost:3000", null)).toBe(false);
    expect(refused("patch", null, "same-origin")).toBe(false);
    // Reads change nothing: a bookmarked link carries neither header.
    expect(refused("GET", null, null)).toBe(false);
  });
});

describe("isJsonContentType", () => {
  it("takes application/json with parameters, and nothing else", () => {
    expect(["application/json", "application/json; charset=utf-8", "Application/JSON"].map(isJsonContentType)).toEqual([true, true, true]);
    expect(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", null].map(isJsonContentType)).toEqual([false, false, false, false, false]);
  });
});
