import { describe, expect, it } from "vitest";
import type { SeedQueryRow } from "./seed-kql-query";
import {
  defaultFindingListRow,
  defaultFindingSearchText,
  findingListQuery,
  pageFacetParams,
  seedFindingListRow,
  seedFindingSearchText,
  type DefaultFindingSummary,
} from "./finding-list";

const SEED_ROW: SeedQueryRow = {
  DeviceName: "fin-ws-014",
  ProcessName: "PowerShell.exe",
  ProcessCmd: "powershell -enc <script>",
  AccountName: "alice",
  ProcessSHA256: "ab12",
  CryptoLibsLoaded: ["bcrypt.dll", "ncrypt.dll"],
  RemoteIPs: ["185.225.17.44"],
  RemotePorts: [4444, 8081],
  ConnectionCount: 30,
  TotalBytesSent: null,
  TotalBytesReceived: 120,
  FirstConnection: "2026-11-24T08:01:00Z",
  LastConnection: "2026-11-24T08:15:00Z",
  DataTransferMB: null,
  DurationMinutes: 14,
  AvgIntervalSeconds: 28.97,
  BeaconLikely: true,
};

describe("seed list rows", () => {
  it("keeps the query's columns, joins its lists as the table shows them and spells the verdict for the filter", () => {
    expect(seedFindingListRow("00000000000000aa", SEED_ROW)).toEqual({
      ...SEED_ROW,
      id: "00000000000000aa",
      CryptoLibsLoaded: "bcrypt.dll, ncrypt.dll",
      RemoteIPs: "185.225.17.44",
      RemotePorts: "4444, 8081",
      BeaconLikelyText: "yes",
    });
  });

  it("searches the visible values, lower-cased, without unknowns, and names the verdict in words", () => {
    expect(seedFindingSearchText(seedFindingListRow("00000000000000aa", SEED_ROW))).toBe(
      [
        "fin-ws-014", "powershell.exe", "powershell -enc <script>", "alice", "ab12", "bcrypt.dll, ncrypt.dll", "185.225.17.44", "4444, 8081",
        "30", "120", "2026-11-24t08:01:00z", "2026-11-24t08:15:00z", "14", "28.97", "beacon likely",
      ].join("\n"),
    );
  });
});

describe("corrected list rows", () => {
  const summary = {
    severity: "high",
    confidence: "medium",
    process: { deviceName: "ws-01", processName: "agent.exe", processId: 4242, commandLine: "agent.exe --beacon", accountName: "svc" },
    rules: ["crypto-load-then-connect", "beacon-only"],
    beacon: { score: 0.875, medianIntervalSeconds: 60, remoteIp: "203.0.113.5", remotePort: 8443 },
    strongBeacon: true,
    connections: {
      count: 42,
      firstConnection: "2026-11-24T01:00:00Z",
      lastConnection: "2026-11-24T01:41:00Z",
      destinations: [
        { remoteIp: "203.0.113.5", remotePort: 8443 },
        { remoteIp: "2001:db8::1", remotePort: 9001 },
      ],
    },
    reasons: [{ text: "Loaded bcrypt.dll, then connected." }, { text: "Beacon to 203.0.113.5:8443." }],
  } as unknown as DefaultFindingSummary;

  it("flattens what the table shows, with the rank fields beside it", () => {
    expect(defaultFindingListRow("00000000000000bb", summary)).toEqual({
      id: "00000000000000bb",
      severity: "high",
      severityRank: 2,
      confidence: "medium",
      device: "ws-01",
      process: "agent.exe",
      pid: 4242,
      rules: "crypto load → connect, strong beacon",
      beaconScore: 0.875,
      strongBeacon: "yes",
      medianInterval: 60,
      connections: 42,
      destinations: "203.0.113.5:8443, 2001:db8::1:9001",
      firstConnection: "2026-11-24T01:00:00Z",
      lastConnection: "2026-11-24T01:41:00Z",
      commandLine: "agent.exe --beacon",
      account: "svc",
      reasonCount: 2,
    });
  });

  it("searches the row as the analyst reads it (severity by name, not rank) and the reasons", () => {
    const row = defaultFindingListRow("00000000000000bb", summary);
    expect(defaultFindingSearchText(row, summary.reasons)).toBe(
      [
        "high", "medium", "ws-01", "agent.exe", "4242", "crypto load → connect, strong beacon", "strong beacon",
        "203.0.113.5:8443, 2001:db8::1:9001", "2026-11-24t01:00:00z", "2026-11-24t01:41:00z", "agent.exe --beacon", "svc",
        "loaded bcrypt.dll, then connected.", "beacon to 203.0.113.5:8443.",
      ].join("\n"),
    );
  });
});

describe("list URL parameters", () => {
  it("reads sort, search, the list's own filters and the page", () => {
    expect(findingListQuery("default", { sort: "beaconScore.desc", q: "  PowerShell ", device: "ws-01", strongBeacon: "yes", page: "3" }, null)).toEqual({
      sort: { column: "beaconScore", desc: true },
      search: "powershell",
      filters: [
        { column: "device", value: "ws-01" },
        { column: "strongBeacon", value: "yes" },
      ],
      page: 3,
      hideLow: true,
      triage: { statuses: ["new", "investigating"] },
      evidence: {},
    });
    // Every severity, or one by name, shows the low findings the default queue leaves out.
    expect([findingListQuery("default", { severityRank: "all" }, null), findingListQuery("default", { severityRank: "0" }, null)].map(({ filters, hideLow }) => [filters, hideLow])).toEqual([
      [[], false],
      [[{ column: "severityRank", value: "0" }], false],
    ]);
  });

  it("ignores what the list does not have instead of failing: another mode's columns, bad directions, bad pages", () => {
    const none = { sort: null, search: "", filters: [], page: 1, hideLow: false, triage: { statuses: ["new", "investigating"] }, evidence: {} };
    expect(findingListQuery("default", { sort: "ConnectionCount.desc", DeviceName: "ws-01", page: "0", severityRank: "x" }, null)).toEqual({ ...none, hideLow: true });
    expect(findingListQuery("kql", { sort: "ConnectionCount.sideways", strongBeacon: "yes", page: "two" }, null)).toEqual(none);
    expect(findingListQuery("kql", { sort: "listRow.asc", page: "1.5" }, null)).toEqual(none);
  });

  it("turns a script's short names, the same in both modes, into each list's own facets", () => {
    const scripted = (mode: "default" | "kql", params: Record<string, string>) => findingListQuery(mode, pageFacetParams(mode, params), null).filters;
    expect(scripted("default", { severity: "High", beacon: "yes", device: "ws-01" })).toEqual([
      { column: "device", value: "ws-01" },
      { column: "strongBeacon", value: "yes" },
      { column: "severityRank", value: "2" },
    ]);
    expect(scripted("default", { severity: "toString", beacon: "maybe" })).toEqual([]);
    expect(findingListQuery("default", pageFacetParams("default", { severity: "ALL" }), null).hideLow).toBe(false);
    expect(scripted("kql", { severity: "high" })).toEqual([]);
    // The page itself keeps its own names: a short one in its URL is not a filter it could show or clear.
    expect(findingListQuery("kql", { device: "ws-01" }, null).filters).toEqual([]);
    expect(scripted("kql", { device: "ws-01", process: "a.exe", beacon: "no" })).toEqual([
      { column: "DeviceName", value: "ws-01" },
      { column: "ProcessName", value: "a.exe" },
      { column: "BeaconLikelyText", value: "no" },
    ]);
  });

  it("reads the evidence filters: an address, a default-mode rule, and days as YYYY-MM-DD", () => {
    const params = { destination: " 2001:DB8::1 ", rule: "beacon-only", firstSeenFrom: "2026-11-24", firstSeenTo: "2026-11-25", lastSeenFrom: "24/11/2026", lastSeenTo: "2026-11-25T00:00:00Z" };
    expect(findingListQuery("default", params, null).evidence).toEqual({ destination: "2001:DB8::1", rule: "beacon-only", firstSeenFrom: "2026-11-24", firstSeenTo: "2026-11-25" });
    expect(findingListQuery("kql", { ...params, destination: "198.51.100.7" }, null).evidence).toEqual({ destination: "198.51.100.7", firstSeenFrom: "2026-11-24", firstSeenTo: "2026-11-25" });
    expect(findingListQuery("default", { destination: "evil.example", rule: "toString" }, null).evidence).toEqual({});
  });

  it("reads a severity and above, by rank on the page and by name in the API", () => {
    expect(findingListQuery("default", { severityRank: "2-3" }, null)).toMatchObject({ filters: [], hideLow: false, minSeverityRank: 2 });
    expect(findingListQuery("default", pageFacetParams("default", { severity: "High-Critical" }), null)).toMatchObject({ filters: [], hideLow: false, minSeverityRank: 2 });
    expect("minSeverityRank" in findingListQuery("default", { severityRank: "2-2" }, null)).toBe(false);
    expect("minSeverityRank" in findingListQuery("kql", { severityRank: "2-3" }, null)).toBe(false);
  });

  it("takes the first of repeated parameters", () => {
    expect(findingListQuery("kql", { DeviceName: ["ws-02", "ws-03"], sort: ["ConnectionCount.asc", "DeviceName.desc"] }, null)).toEqual({
      sort: { column: "ConnectionCount", desc: false },
      search: "",
      filters: [{ column: "DeviceName", value: "ws-02" }],
      page: 1,
      hideLow: false,
      triage: { statuses: ["new", "investigating"] },
      evidence: {},
    });
  });
});
