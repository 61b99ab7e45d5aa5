/**
 * The suppressions as KQL predicates: exact text for hand-built entries, and the regular
 * expressions checked against the matching the product itself does (wildcardMatches,
 * domainMatches, hostOfRemoteUrl). JavaScript runs them here: each pattern is written so that RE2
 * (Kusto) and JavaScript read it alike (no lookaround, no backreference; flags as a prefix).
 */
import { describe, expect, it } from "vitest";
import { hostOfRemoteUrl } from "../detection/default-detection";
import { domainMatches, wildcardMatches } from "../tuning/suppression";
import { compileSuppressions, pathRegex, REMOTE_HOST_PATTERN } from "./kql-suppressions";

/** An RE2 pattern with a leading (?flags) group as a JavaScript RegExp. */
function javascriptRegex(pattern: string): RegExp {
  const flags = /^\(\?([a-z]+)\)/.exec(pattern);
  return new RegExp(flags ? pattern.slice(flags[0].length) : pattern, flags?.[1] ?? "");
}

/** The compiled entries, when every one compiles. */
function compiled(suppressions: Parameters<typeof compileSuppressions>[0]) {
  const result = compileSuppressions(suppressions);
  expect(result.leftOut).toEqual([]);
  return result.compiled;
}

describe("compileSuppressions", () => {
  it("writes each condition on the final row, the remote ones as a count of connections the entry misses", () => {
    const [entry] = compiled([
      {
        id: "0a1b2c",
        conditions: { sha256: "AB".repeat(32), deviceName: "WS-01", accountName: "svc", remoteIp: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"], remotePort: [4444, 8443] },
        expiresAt: "2026-12-31T01:00:00+01:00",
      },
    ]);
    expect(entry).toEqual({
      comment: "// Suppression 1 (Cipherwatch id 0a1b2c)",
      predicate: `now() < datetime(2026-12-31T00:00:00.000Z) and tolower(ProcessSHA256) == "${"ab".repeat(32)}" and tolower(DeviceName) == "ws-01" and tolower(AccountName) == "svc" and coalesce(Suppression1Misses, 1) == 0`,
      misses: {
        column: "Suppression1Misses",
        aggregation:
          'Suppression1Misses = countif(not((coalesce(ipv4_is_in_any_range(replace_regex(RemoteIP, @"^::[fF]{4}:", ""), dynamic(["203.0.113.0/24", "198.51.100.7/32"])), false) ' +
          'or (RemoteIP !contains "." and not(parse_ipv6(RemoteIP) startswith "0000:0000:0000:0000:0000:ffff:") and coalesce(ipv6_is_in_any_range(RemoteIP, dynamic(["2001:db8::/32"])), false))) ' +
          'and RemotePort in (4444, 8443)))',
      },
    });
  });

  it("keeps a bare name off a system binary's name outside its folder, and names no id it did not make", () => {
    const [byName, byPath] = compiled([
      { id: "not an id */", conditions: { processName: 'Veeam"Agent.exe' }, expiresAt: null },
      { id: "ff", conditions: { processPath: "C:\\Veeam\\*.exe" }, expiresAt: null },
    ]);
    expect(byName).toEqual({ comment: "// Suppression 1", predicate: 'tolower(ProcessName) == @"veeam""agent.exe" and not(OutsideSystemFolder)', misses: null });
    expect(byPath).toEqual({ comment: "// Suppression 2 (Cipherwatch id ff)", predicate: 'ProcessFolder matches regex @"(?s)^[cC]\\:\\\\[vV][eE][eE][aA][mM]\\\\.*\\.[eE][xX][eE]$"', misses: null });
  });

  it("lower-cases values one code point at a time, as Kusto's tolower does: a final capital sigma is σ", () => {
    const [entry] = compiled([{ id: "1", conditions: { processName: "AΣ B.exe", processPath: "C:\\AΣ\\*" }, expiresAt: null }]);
    expect(entry.predicate).toBe('tolower(ProcessName) == "aσ b.exe" and ProcessFolder matches regex @"(?s)^[cC]\\:\\\\[aA][σΣ]\\\\.*$"');
  });

  it("reads an IPv4-mapped block as the IPv4 block it carries", () => {
    const [mapped] = compiled([{ id: "1", conditions: { remoteIp: ["::ffff:198.51.100.0/120"] }, expiresAt: null }]);
    expect(mapped.misses?.aggregation).toBe(
      'Suppression1Misses = countif(not(coalesce(ipv4_is_in_any_range(replace_regex(RemoteIP, @"^::[fF]{4}:", ""), dynamic(["198.51.100.0/24"])), false)))',
    );
  });

  it("writes a domain as the host name RemoteUrl gives, exactly or under the domain", () => {
    const [exact, under] = compiled([
      { id: "1", conditions: { sha256: "a".repeat(64), remoteDomain: "Updates.Example.com." }, expiresAt: null },
      { id: "2", conditions: { sha256: "a".repeat(64), remoteDomain: "*.example.com" }, expiresAt: null },
    ]);
    const host = 'trim_end(@"\\.", extract(@"(?s)^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#]*@)?([^/?#]*?)(?::\\d+)?(?:[/?#].*)?$", 1, tolower(trim(@"\\s+", RemoteUrl))))';
    expect(exact.misses?.aggregation).toBe(`Suppression1Misses = countif(not(${host} == "updates.example.com"))`);
    expect(under.misses?.aggregation).toBe(`Suppression2Misses = countif(not(${host} matches regex @"^.+\\.example\\.com$"))`);
  });

  it("leaves out, naming them, the conditions the editor would refuse, rather than writing them into a query", () => {
    expect(compileSuppressions([{ id: "1", conditions: { deviceName: "WS-01" }, expiresAt: null }, { id: "2", conditions: { remoteIp: ["0.0.0.0/0"] }, expiresAt: null }])).toEqual({
      compiled: [],
      leftOut: [
        "// Suppression 1 (Cipherwatch id 1) is left out: its conditions no longer pass Cipherwatch's checks.",
        "// Suppression 2 (Cipherwatch id 2) is left out: its conditions no longer pass Cipherwatch's checks.",
      ],
    });
    expect(() => compileSuppressions([{ id: "1", conditions: { processName: "a.exe" }, expiresAt: "soon" }])).toThrow(RangeError);
  });
});

describe("the patterns match as the product does", () => {
  const paths = [
    "C:\\Program Files (x86)\\Veeam\\Agent.exe",
    "c:\\program files (x86)\\veeam\\sub\\agent.exe",
    "C:\\Program Files\\Veeam\\Agent.exe",
    "C:\\Program Files (x86)\\Veeam\\Agent.exe.bak",
    "C:\\Program Files (x86)\\Veeam\\Agent.exe\nC:\\x",
    "C:\\Users\\a+b\\[x]{1}\\$^.exe",
    // RE2's (?i) would fold ſ (U+017F) to s; lower-casing, as Cipherwatch compares, does not.
    "C:\\Program Fileſ (x86)\\Veeam\\Agent.exe",
    "",
  ];
  const patterns = ["C:\\Program Files (x86)\\*\\Agent.exe", "*agent.exe", "C:\\Users\\a+b\\[x]{1}\\$^.exe", "*\\*.exe*", "C:\\Program Files (x86)\\Veeam\\Agent.exe"];

  it("pathRegex agrees with wildcardMatches on every pair", () => {
    for (const pattern of patterns) {
      for (const path of paths) expect(javascriptRegex(pathRegex(pattern)).test(path), `${pattern} ~ ${JSON.stringify(path)}`).toBe(wildcardMatches(pattern, path));
    }
  });

  it("the host pattern reads RemoteUrl as hostOfRemoteUrl does", () => {
    const urls = ["example.com", "https://user:pw@Updates.Example.com:8443/path?q#f", "evil.com:443", "host.example.com/a:b", "a:b", "http://[::1]:80/", "x.example.com.", " spaced.example.com ", "ftp://files.example.com", "", "/only/path"];
    for (const url of urls) {
      const extracted = javascriptRegex(REMOTE_HOST_PATTERN).exec(url.trim().toLowerCase())?.[1] ?? "";
      expect(extracted === "" ? null : extracted, JSON.stringify(url)).toBe(hostOfRemoteUrl(url));
    }
  });

  it("a wildcard domain's pattern agrees with domainMatches", () => {
    const pattern = compiled([{ id: "1", conditions: { sha256: "a".repeat(64), remoteDomain: "*.example.com" }, expiresAt: null }])[0].misses!.aggregation.match(/matches regex @"([^"]+)"/)![1];
    for (const host of ["a.example.com", "a.b.example.com", "example.com", ".example.com", "aexample.com", "example.com.evil"]) {
      expect(javascriptRegex(pattern).test(host), host).toBe(domainMatches("*.example.com", host));
    }
  });
});
