import { describe, expect, it } from "vitest";
import { addressInBlock, caseless, domainMatches, narrowestConditions, suppresses, suppressionInputSchema, wildcardMatches, type SuppressibleFinding } from "./suppression";

const veeam: SuppressibleFinding = {
  deviceName: "srv-bkp-01",
  processName: "Veeam.Backup.Service.exe",
  processPath: "C:\\Program Files\\Veeam\\Backup and Replication\\Backup\\Veeam.Backup.Service.exe",
  sha256: "ab".repeat(32),
  accountName: "svc-veeam",
  outsideSystemFolder: false,
  destinations: [
    { remoteIp: "203.0.113.10", remotePort: 10005, remoteDomains: ["repo1.backup.example.com"], unnamedConnections: false },
    { remoteIp: "203.0.113.11", remotePort: 10005, remoteDomains: ["repo2.backup.example.com"], unnamedConnections: false },
  ],
};

describe("suppresses", () => {
  it("holds when every condition holds, names and hashes without regard to case", () => {
    expect(suppresses({ processName: "veeam.backup.service.exe", deviceName: "SRV-BKP-01", sha256: "AB".repeat(32) }, veeam)).toBe(true);
    expect(suppresses({ processName: "veeam.backup.service.exe", deviceName: "srv-bkp-02" }, veeam)).toBe(false);
    expect(suppresses({ accountName: "svc-veeam" }, veeam)).toBe(true);
  });

  it("matches a path with * wildcards, and never a finding whose folder is unknown", () => {
    expect(suppresses({ processPath: "c:\\program files\\veeam\\*\\veeam.backup.service.exe" }, veeam)).toBe(true);
    expect(suppresses({ processPath: "C:\\Program Files\\Veeam\\*.dll" }, veeam)).toBe(false);
    expect(suppresses({ processPath: "*" }, { ...veeam, processPath: null })).toBe(false);
  });

  it("asks remote conditions of every destination: a process that also calls elsewhere stays", () => {
    expect(suppresses({ remoteIp: ["203.0.113.0/24"], remotePort: [10005] }, veeam)).toBe(true);
    expect(suppresses({ remoteIp: ["203.0.113.10"] }, veeam)).toBe(false);
    expect(suppresses({ remoteIp: ["203.0.113.10", "203.0.113.11"] }, veeam)).toBe(true);
    expect(suppresses({ remotePort: [443] }, veeam)).toBe(false);
    expect(suppresses({ remoteDomain: "*.backup.example.com" }, veeam)).toBe(true);
    const alsoC2 = { ...veeam, destinations: [...veeam.destinations, { remoteIp: "185.225.17.44", remotePort: 4444, remoteDomains: [], unnamedConnections: true }] };
    expect(suppresses({ processName: "Veeam.Backup.Service.exe", remoteIp: ["203.0.113.0/24"] }, alsoC2)).toBe(false);
    expect(suppresses({ remotePort: [10005] }, { ...veeam, destinations: [] })).toBe(false);
  });

  it("takes a domain only when every name a destination gave matches and every connection gave one", () => {
    const [repo] = veeam.destinations;
    const claims = (remoteDomains: string[], unnamedConnections: boolean) => ({ ...veeam, destinations: [{ ...repo, remoteDomains, unnamedConnections }] });
    expect(suppresses({ remoteDomain: "*.microsoft.com" }, claims(["x.microsoft.com"], false))).toBe(true);
    expect(suppresses({ remoteDomain: "*.microsoft.com" }, claims(["evil.example", "x.microsoft.com"], false))).toBe(false);
    expect(suppresses({ remoteDomain: "*.microsoft.com" }, claims(["x.microsoft.com"], true))).toBe(false);
  });

  it("never hides a system binary's name outside its folder by name: only its hash or path name it", () => {
    const masquerade = { ...veeam, processName: "svchost.exe", processPath: "C:\\Users\\Public\\svchost.exe", outsideSystemFolder: true };
    expect(suppresses({ processName: "svchost.exe" }, masquerade)).toBe(false);
    expect(suppresses({ processName: "svchost.exe", sha256: "ab".repeat(32) }, masquerade)).toBe(true);
    expect(suppresses({ processPath: "c:\\users\\public\\*" }, masquerade)).toBe(true);
  });
});

describe("domainMatches", () => {
  it("matches subdomains with *. but not the domain itself", () => {
    expect(domainMatches("*.example.com", "a.example.com")).toBe(true);
    expect(domainMatches("*.example.com", "a.b.EXAMPLE.com.")).toBe(true);
    expect(domainMatches("*.example.com", "example.com")).toBe(false);
    expect(domainMatches("*.example.com", "badexample.com")).toBe(false);
    expect(domainMatches("example.com", "Example.com")).toBe(true);
    expect(domainMatches("example.com", "a.example.com")).toBe(false);
  });
});

describe("addressInBlock", () => {
  it("takes IPv4 and IPv6 addresses and blocks, never mixing the two", () => {
    expect(addressInBlock("10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(addressInBlock("11.1.2.3", "10.0.0.0/8")).toBe(false);
    expect(addressInBlock("192.0.2.7", "192.0.2.7")).toBe(true);
    expect(addressInBlock("192.0.2.7", "0.0.0.0/0")).toBe(true);
    expect(addressInBlock("2001:db8::1", "2001:DB8::/32")).toBe(true);
    expect(addressInBlock("2001:db9::1", "2001:db8::/32")).toBe(false);
    expect(addressInBlock("::ffff:192.0.2.1", "::ffff:192.0.2.0/120")).toBe(true);
    // An IPv4-mapped address (Defender's FourToSixMapping) is the IPv4 address it carries.
    expect(addressInBlock("::ffff:203.0.113.10", "203.0.113.0/24")).toBe(true);
    expect(addressInBlock("203.0.113.10", "::ffff:203.0.113.0/120")).toBe(true);
    expect(addressInBlock("192.0.2.1", "::/0")).toBe(false);
    expect(addressInBlock("not an address", "10.0.0.0/8")).toBe(false);
  });
});

describe("wildcardMatches", () => {
  it("treats only * as special", () => {
    expect(wildcardMatches("a.b*", "A.Bcd")).toBe(true);
    expect(wildcardMatches("a.b", "axb")).toBe(false);
    expect(wildcardMatches("(x)+", "(x)+")).toBe(true);
    expect(wildcardMatches("*a*", "bab")).toBe(true);
  });

  it("stays fast on patterns a regular expression would backtrack on for seconds", () => {
    const path = `C:\\${"a".repeat(60)}.exe`;
    expect(wildcardMatches("C:\\*a*a*a*a*a*a*a*b.exe", path)).toBe(false);
    expect(wildcardMatches("C:\\*a*a*a*a*a*a*a*.exe", path)).toBe(true);
  });
});

describe("suppressionInputSchema", () => {
  it("needs a condition and a reason, and normalises what it takes", () => {
    expect(suppressionInputSchema.parse({ conditions: { remoteIp: "203.0.113.0/24", remotePort: 10005, sha256: "AB".repeat(32) }, reason: " Veeam repo ", expiresAt: "2026-12-31T00:00:00Z" })).toEqual({
      conditions: { remoteIp: ["203.0.113.0/24"], remotePort: [10005], sha256: "ab".repeat(32) },
      reason: "Veeam repo",
      expiresAt: "2026-12-31T00:00:00Z",
    });
    expect(suppressionInputSchema.safeParse({ conditions: {}, reason: "x" }).success).toBe(false);
    expect(suppressionInputSchema.safeParse({ conditions: { processName: "a.exe" }, reason: " " }).success).toBe(false);
    expect(suppressionInputSchema.safeParse({ conditions: { remoteIp: "evil.example" }, reason: "x" }).success).toBe(false);
    expect(suppressionInputSchema.safeParse({ conditions: { remoteDomain: "<script>", sha256: "ab".repeat(32) }, reason: "x" }).success).toBe(false);
  });

  it("refuses entries that would hide too much", () => {
    const refused = (conditions: object) => suppressionInputSchema.safeParse({ conditions, reason: "x" }).success === false;
    expect(
      [{ deviceName: "ws-1" }, { accountName: "bob", remotePort: 443 }, { processName: "a.exe", remoteDomain: "*.example.com" }, { processPath: "**" }, { remoteIp: "0.0.0.0/4" }, { remoteIp: "2001::/8" }, { processPath: "*a*b*c*d*e*f*g*h*i" }].map(refused),
    ).toEqual([true, true, true, true, true, true, true]);
    expect([{ processName: "a.exe" }, { remoteIp: "10.0.0.0/8", remoteDomain: "*.example.com" }, { processPath: "C:\\Tools\\*.exe" }].map(refused)).toEqual([false, false, false]);
    // An IPv4-mapped block holds IPv4 addresses: ::ffff:0:0/96 would be all of them; /104 is an IPv4 /8.
    expect([{ remoteIp: "::ffff:0:0/96" }, { remoteIp: "::ffff:10.0.0.0/103" }, { remoteIp: "::ffff:10.0.0.0/104" }, { remoteIp: "2001:db8::/16" }].map(refused)).toEqual([true, true, false, false]);
  });

  it("compares as Kusto's tolower does, one code point at a time: a final capital sigma is σ", () => {
    // JavaScript lower-cases "AΣ B" to "aς b"; Kusto to "aσ b": both sides of a comparison now agree.
    expect(caseless("AΣ B.exe")).toBe("aσ b.exe");
    expect(suppresses({ processName: "aσ b.exe" }, { ...veeam, processName: "AΣ B.exe", outsideSystemFolder: false })).toBe(true);
    expect(wildcardMatches("C:\\aσ\\*", "C:\\AΣ\\x.exe")).toBe(true);
  });
});

describe("narrowestConditions", () => {
  it("names the binary by hash, else by path, on its device, to its addresses, never by bare name", () => {
    expect(narrowestConditions(veeam)).toEqual({ sha256: "ab".repeat(32), deviceName: "srv-bkp-01", remoteIp: ["203.0.113.10", "203.0.113.11"] });
    expect(narrowestConditions({ ...veeam, sha256: null })).toEqual({ processPath: veeam.processPath, deviceName: "srv-bkp-01", remoteIp: ["203.0.113.10", "203.0.113.11"] });
    expect(narrowestConditions({ ...veeam, sha256: null, processPath: null, destinations: [] })).toEqual({ processName: "Veeam.Backup.Service.exe", deviceName: "srv-bkp-01" });
  });
});
