/**
 * Integration: findings lists are read a page at a time from a throwaway SQLite file. Rows are
 * hand-built list rows, so every order, filter and count below is worked out from the table here.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultFindingSearchText, findingListQuery, pageFacetParams, seedFindingListRow, seedFindingSearchText, type DefaultFindingListRow } from "../detection/finding-list";
import type { SeedQueryRow } from "../detection/seed-kql-query";

const directory = mkdtempSync(path.join(tmpdir(), "cw-findings-"));
process.env.DATABASE_URL = `file:${path.join(directory, "test.db")}`;

let store: typeof import("./findings-store");
let db: typeof import("./db");

const RUN = "run-current";

function defaultRow(id: string, fields: Partial<DefaultFindingListRow>): DefaultFindingListRow {
  return {
    id, severity: "low", severityRank: 0, confidence: "low", device: "", process: "", pid: 0, rules: "crypto load → connect", beaconScore: null,
    strongBeacon: "no", medianInterval: null, connections: 0, destinations: "", firstConnection: "2026-11-24T00:00:00Z",
    lastConnection: "2026-11-24T01:00:00Z", commandLine: "", account: "svc", reasonCount: 1, ...fields,
  };
}

// In default order: A (critical), C and B (high, high, 2 reasons: C's score 0.5 beats B's unknown), D (low).
const DEFAULT_ROWS = [
  defaultRow("000000000000000b", { severity: "high", severityRank: 2, confidence: "high", reasonCount: 2, device: "ws-01", process: "Updater.exe", pid: 20, connections: 5 }),
  defaultRow("000000000000000d", { severity: "low", severityRank: 0, confidence: "medium", beaconScore: 0.2, device: "ws-03", process: "python.exe", pid: 40, strongBeacon: "yes", connections: 12 }),
  defaultRow("000000000000000a", { severity: "critical", severityRank: 3, confidence: "high", reasonCount: 3, beaconScore: 0.95, device: "ws-02", process: "powershell.exe", pid: 10, strongBeacon: "yes", connections: 181, commandLine: "powershell -enc SQBFAFgA" }),
  defaultRow("000000000000000c", { severity: "high", severityRank: 2, confidence: "high", reasonCount: 2, beaconScore: 0.5, device: "ws-01", process: "agent.exe", pid: 30, connections: 40 }),
];

function seedRow(index: number): SeedQueryRow {
  return {
    DeviceName: `dev-${index % 3}`, ProcessName: `tool${index}.exe`, ProcessCmd: "", AccountName: "", ProcessSHA256: "", CryptoLibsLoaded: ["bcrypt.dll"],
    RemoteIPs: ["198.51.100.9"], RemotePorts: [4444], ConnectionCount: index, TotalBytesSent: null, TotalBytesReceived: null,
    FirstConnection: "2026-11-24T00:00:00Z", LastConnection: "2026-11-24T00:00:00Z", DataTransferMB: null, DurationMinutes: 0, AvgIntervalSeconds: 0, BeaconLikely: index % 2 === 0,
  };
}

const SEED_COUNT = 1001;
const seedId = (index: number) => `5${index.toString(16).padStart(15, "0")}`;
const UNTRIAGED = { status: "new", classification: null, reason: null, assignee: null, tags: [], reopened: null };
const CURRENT_RUN = { runId: RUN, finishedAt: "2026-11-25T00:00:00Z", asOf: null, asOfSource: "newest-event" as const, findings: 4, seedFindings: SEED_COUNT, skippedDevices: [], generation: 0, inputs: "" };

beforeAll(async () => {
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: process.env, stdio: "pipe" });
  store = await import("./findings-store");
  db = await import("./db");
  const settings = await import("./detection-settings");
  const record = (runId: string, id: string, mode: "default" | "kql", listRow: { device?: string; DeviceName?: string }, searchText: string, row: unknown) => ({
    id, runId, mode, deviceName: listRow.device ?? listRow.DeviceName ?? "", processName: "", beaconLikely: false, connectionCount: 0, outsideSystemFolder: false,
    listRow: JSON.stringify(listRow), searchText, row: JSON.stringify(row), evidence: "{}", binaryKey: "", destinationKeys: "[]", ratedPrevalence: null,
  });
  store.storeFindings(DEFAULT_ROWS.map((row) => ({ ...record(RUN, row.id, "default", row, defaultFindingSearchText(row, []), { severity: row.severity }), processName: row.process })));
  store.storeFindings(
    Array.from({ length: SEED_COUNT }, (_, index) => {
      const listRow = seedFindingListRow(seedId(index), seedRow(index));
      return { ...record(RUN, listRow.id, "kql", listRow, seedFindingSearchText(listRow), seedRow(index)), processName: listRow.ProcessName };
    }),
  );
  // A finished earlier run whose rows are still there: lists must not show them.
  store.storeFindings([record("run-old", "00000000000000ff", "default", defaultRow("00000000000000ff", { device: "old-host" }), "old-host", {})]);
  store.rankRunFindings(RUN);
  await settings.writeDetectionRun(CURRENT_RUN);
}, 60_000);

afterAll(async () => {
  await db?.prisma.$disconnect();
  rmSync(directory, { recursive: true, force: true });
});

/** The list as its URL asks, low findings included unless the parameters say otherwise (see the default queue test). */
async function defaultIds(params: Record<string, string>) {
  const page = store.listFindingsPage("default", findingListQuery("default", { severityRank: "all", ...params }, null), CURRENT_RUN);
  return { ids: page.rows.map((row) => row.id.slice(-1)), matching: page.matching, total: page.total };
}

describe("listFindingsPage, corrected mode", () => {
  it("leaves low findings out of the default queue, and shows them with every severity or when asked for by name", async () => {
    const queue = store.listFindingsPage("default", findingListQuery("default", {}, null), CURRENT_RUN);
    expect([queue.rows.map((row) => row.id.slice(-1)), queue.matching, queue.total, queue.heldBackLow]).toEqual([["a", "c", "b"], 3, 4, 1]);
    expect(store.listFindingsPage("default", findingListQuery("default", { strongBeacon: "no" }, null), CURRENT_RUN).heldBackLow).toBe(0);
    expect(await defaultIds({ severityRank: "0" })).toEqual({ ids: ["d"], matching: 1, total: 4 });
    const scripted = (params: Record<string, string>) => [...store.allFindings("default", CURRENT_RUN, findingListQuery("default", pageFacetParams("default", params), null))].flat().map((finding) => finding.id.slice(-1));
    expect([scripted({}), scripted({ severity: "all" }), scripted({ severity: "low" })]).toEqual([["a", "c", "b"], ["a", "c", "b", "d"], ["d"]]);
  });

  it("lists the current run in rank order, with the names its filters offer", async () => {
    const page = store.listFindingsPage("default", findingListQuery("default", { severityRank: "all" }, null), CURRENT_RUN);
    expect(page.rows.map((row) => row.id.slice(-1))).toEqual(["a", "c", "b", "d"]);
    // A finding nobody triaged is new.
    expect(page.rows[0]).toEqual({ ...DEFAULT_ROWS[2], triage: UNTRIAGED, suppressedBy: [] });
    expect([page.total, page.matching, page.page, page.pageCount]).toEqual([4, 4, 1, 1]);
    expect(page.deviceNames).toEqual(["ws-01", "ws-02", "ws-03"]);
    expect(page.processNames).toEqual(["Updater.exe", "agent.exe", "powershell.exe", "python.exe"]);
  });

  it("sorts a column either way with unknown values last, text without regard to case", async () => {
    expect(await defaultIds({ sort: "connections.asc" })).toEqual({ ids: ["b", "d", "c", "a"], matching: 4, total: 4 });
    expect((await defaultIds({ sort: "beaconScore.desc" })).ids).toEqual(["a", "c", "d", "b"]);
    expect((await defaultIds({ sort: "beaconScore.asc" })).ids).toEqual(["d", "c", "a", "b"]);
    expect((await defaultIds({ sort: "process.asc" })).ids).toEqual(["c", "a", "d", "b"]);
    // Equal values keep the rank order.
    expect((await defaultIds({ sort: "severityRank.asc" })).ids).toEqual(["d", "c", "b", "a"]);
  });

  it("filters by facet values, text or number, and searches any case", async () => {
    expect(await defaultIds({ strongBeacon: "yes" })).toEqual({ ids: ["a", "d"], matching: 2, total: 4 });
    expect(await defaultIds({ severityRank: "2" })).toEqual({ ids: ["c", "b"], matching: 2, total: 4 });
    expect(await defaultIds({ device: "ws-01", sort: "pid.desc" })).toEqual({ ids: ["c", "b"], matching: 2, total: 4 });
    expect(await defaultIds({ q: "SQBFAFgA" })).toEqual({ ids: ["a"], matching: 1, total: 4 });
    expect(await defaultIds({ q: "critical" })).toEqual({ ids: ["a"], matching: 1, total: 4 });
    expect(await defaultIds({ q: "ws-0", strongBeacon: "no" })).toEqual({ ids: ["c", "b"], matching: 2, total: 4 });
    expect(await defaultIds({ q: "old-host" })).toEqual({ ids: [], matching: 0, total: 4 });
  });

  it("treats search text as text, never as a pattern or SQL", async () => {
    expect((await defaultIds({ q: "%" })).matching).toBe(0);
    expect((await defaultIds({ q: "_" })).matching).toBe(0);
    expect((await defaultIds({ q: "' OR 1=1 --" })).matching).toBe(0);
  });
});

describe("listFindingsPage, seed mode", () => {
  it("reads one page of a long list, the seed query's order, and clamps a page past the end", async () => {
    const second = store.listFindingsPage("kql", findingListQuery("kql", { page: "2" }, null), CURRENT_RUN);
    expect(second.rows).toHaveLength(100);
    // ConnectionCount desc: 1000 .. 901 on page 1, 900 .. 801 on page 2.
    expect([second.rows[0].ConnectionCount, second.rows[99].ConnectionCount]).toEqual([900, 801]);
    expect([second.total, second.matching, second.page, second.pageCount]).toEqual([1001, 1001, 2, 11]);
    const last = store.listFindingsPage("kql", findingListQuery("kql", { page: "99" }, null), CURRENT_RUN);
    expect([last.page, last.rows.length, last.rows[0].ConnectionCount]).toEqual([11, 1, 0]);
  });

  it("pages what the filters keep", async () => {
    // Even counts are beacon-likely; dev-0 holds the multiples of 3: multiples of 6, 0..996, are 167.
    const page = store.listFindingsPage("kql", findingListQuery("kql", { BeaconLikelyText: "yes", DeviceName: "dev-0", page: "2" }, null), CURRENT_RUN);
    expect([page.matching, page.pageCount, page.rows.length]).toEqual([167, 2, 67]);
    expect(page.rows.map((row) => row.ConnectionCount).slice(0, 2)).toEqual([396, 390]);
  });
});

describe("allFindings", () => {
  it("yields every finding of the current run in rank order, a slice at a time", async () => {
    const slices: SeedQueryRow[][] = [];
    for (const slice of store.allFindings("kql", CURRENT_RUN)) slices.push(slice);
    expect(slices.map((slice) => slice.length)).toEqual([500, 500, 1]);
    expect(slices.flat().map((row) => row.ConnectionCount)).toEqual(Array.from({ length: SEED_COUNT }, (_, index) => SEED_COUNT - 1 - index));
    expect(slices[0][0]).toEqual({ id: seedId(1000), ...seedRow(1000), triage: UNTRIAGED, suppressedBy: [] });
  });

  it("gives corrected findings their id beside the stored object", async () => {
    const all = [];
    for (const slice of store.allFindings("default", CURRENT_RUN)) all.push(...slice);
    expect(all).toEqual([
      { id: "000000000000000a", severity: "critical", triage: UNTRIAGED, suppressedBy: [] },
      { id: "000000000000000c", severity: "high", triage: UNTRIAGED, suppressedBy: [] },
      { id: "000000000000000b", severity: "high", triage: UNTRIAGED, suppressedBy: [] },
      { id: "000000000000000d", severity: "low", triage: UNTRIAGED, suppressedBy: [] },
    ]);
  });

  it("keeps only what the list's filters and search keep, as GET /api/findings?severity=high does", () => {
    const ids = (params: Record<string, string>) =>
      [...store.allFindings("default", CURRENT_RUN, findingListQuery("default", pageFacetParams("default", params), null))].flat().map((finding) => finding.id.slice(-1));
    expect(ids({ severity: "high" })).toEqual(["c", "b"]);
    expect(ids({ device: "ws-01", q: "updater" })).toEqual(["b"]);
    expect(ids({ beacon: "yes", severity: "all" })).toEqual(["a", "d"]);
  });

  it("fails instead of ending early when the run's rows went away while being read", () => {
    // What a reader of a run sees once a newer run has replaced it: the run's rows are gone.
    const replaced = { ...CURRENT_RUN, runId: "run-replaced" };
    expect(() => [...store.allFindings("default", replaced)]).toThrow("Detection reran while the findings were being read");
    expect([...store.allFindings("default", { ...replaced, findings: 0, seedFindings: 0 })]).toEqual([]);
    expect([...store.allFindings("default", null)]).toEqual([]);
  });
});

describe("excluded-name lists", () => {
  it("hide a finding as findings are read, whatever the name's case, and bring it back when removed", async () => {
    const entry = await db.prisma.allowlistEntry.create({ data: { list: "excludedBrowsers", value: "POWERSHELL.EXE", valueKey: "powershell.exe" } });
    // A crypto-library entry of the same name hides nothing: only the excluded-name lists do.
    await db.prisma.allowlistEntry.create({ data: { list: "cryptoLibraries", value: "agent.exe", valueKey: "agent.exe" } });
    const page = store.listFindingsPage("default", findingListQuery("default", { severityRank: "all" }, null), CURRENT_RUN);
    expect(page.rows.map((row) => row.id.slice(-1))).toEqual(["c", "b", "d"]);
    expect([page.total, page.matching, store.findingCount(CURRENT_RUN, "default")]).toEqual([3, 3, 3]);
    expect(page.processNames).toEqual(["Updater.exe", "agent.exe", "python.exe"]);
    expect([...store.allFindings("default", CURRENT_RUN)].flat().map((finding) => finding.id.slice(-1))).toEqual(["c", "b", "d"]);
    expect(await store.getFinding("000000000000000a", CURRENT_RUN)).toBeNull();
    expect((await store.getFinding("000000000000000c", CURRENT_RUN))?.mode).toBe("default");
    // The seed list is untouched: none of its processes is named so.
    expect(store.findingCount(CURRENT_RUN, "kql")).toBe(SEED_COUNT);

    await db.prisma.allowlistEntry.delete({ where: { id: entry.id } });
    expect(store.findingCount(CURRENT_RUN, "default")).toBe(4);
    expect((await store.getFinding("000000000000000a", CURRENT_RUN))?.mode).toBe("default");
  });
});
