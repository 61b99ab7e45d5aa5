/**
 * Integration: the overview's counts from a real run, and each count's link giving the same count
 * in the findings list. Real SQLite file, real ingest and detection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { findingListQuery } from "../detection/finding-list";
import { useThrowawayDatabase } from "../testing/throwaway-database";
import { fillDays, findingsListHref, type OverviewSlice } from "../triage/overview";

useThrowawayDatabase("overview");

let modules: DetectionModules;
let overview: typeof import("./overview-store");
let triage: typeof import("./triage-store");

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
/** A process that loads bcrypt.dll then connects: a (low) finding in default mode. */
const process = (device: string, pid: number, name: string, loadedAt: string, destinations: string[]) => {
  const start = Date.parse(loadedAt);
  return [
    `${loadedAt},${device},ImageLoaded,bcrypt.dll,${pid},${name},,,`,
    ...destinations.map((address, index) => {
      const [ip, port] = address.split(":");
      return `${new Date(start + (index + 1) * 60_000).toISOString()},${device},ConnectionSuccess,,${pid},${name},${ip},${port},Public`;
    }),
  ];
};
const OVERVIEW_UPLOAD = [
  HEADER,
  ...process("ov-alpha", 7001, "ovagent.exe", "2026-11-24T22:00:00Z", ["203.0.113.10:4444", "203.0.113.10:4445"]),
  ...process("ov-alpha", 7002, "ovsync.exe", "2026-11-25T01:00:00Z", ["203.0.113.10:4444"]),
  ...process("ov-alpha", 7003, "ovtool.exe", "2026-11-25T02:00:00Z", ["203.0.113.20:5555"]),
  ...process("ov-beta", 7101, "ovagent.exe", "2026-11-24T23:00:00Z", ["203.0.113.10:4444"]),
  ...process("ov-beta", 7102, "ovtool.exe", "2026-11-25T03:00:00Z", ["203.0.113.20:5555", "203.0.113.30:9001"]),
  ...process("ov-gamma", 7201, "ovagent.exe", "2026-11-25T04:00:00Z", ["203.0.113.30:9001"]),
].join("\n");

const alice = { label: "alice", address: null };

beforeAll(async () => {
  modules = await importDetectionModules();
  overview = await import("./overview-store");
  triage = await import("./triage-store");
  await modules.db.prisma.user.create({ data: { id: "alice", name: "alice", email: "alice@example.test", username: "alice", role: "analyst" } });
}, 60_000);

describe("overviewCounts", () => {
  it("is empty without a run", () => {
    expect(overview.overviewCounts(null)).toEqual({
      total: 0, byDay: [], open: 0, openByStatus: [], openByAssignee: [],
      topDevices: { entries: [], distinct: 0 }, topProcesses: { entries: [], distinct: 0 }, topDestinations: { entries: [], distinct: 0 },
    });
  });

  it("counts a run's findings, and each count's link lists as many", async () => {
    expect((await modules.ingest.ingestTelemetryText("overview.csv", OVERVIEW_UPLOAD, "cli:test")).accepted).toBe(14);
    const run = await modules.detection.runDetection();
    const findings = [...modules.findings.allFindings("default", run, { filters: [], search: "", hideLow: false, triage: { statuses: ["new", "investigating", "resolved"] }, evidence: {} })].flat();
    const byName = (device: string, name: string) => findings.find((f) => f.process.deviceName === device && f.process.processName === name)!;
    const mark = (id: string) => triage.currentFindingMark(id);
    const sync = byName("ov-alpha", "ovsync.exe");
    triage.changeFindingTriage(sync.id, { status: "investigating", assignee: "alice" }, await mark(sync.id), alice);
    const gamma = byName("ov-gamma", "ovagent.exe");
    triage.changeFindingTriage(gamma.id, { status: "resolved", classification: "benign", reason: "Lab" }, await mark(gamma.id), alice);
    const betaTool = byName("ov-beta", "ovtool.exe");
    triage.changeFindingTriage(betaTool.id, { assignee: "alice" }, await mark(betaTool.id), alice);

    const counts = overview.overviewCounts(run);
    expect({ ...counts, byDay: counts.byDay.map(({ day, count }) => [day, count]) }).toEqual({
      total: 6,
      byDay: [["2026-11-24", 2], ["2026-11-25", 4]].flatMap(([day, count]) => [[day, count]]),
      open: 5,
      openByStatus: expect.arrayContaining([{ status: "new", count: 4 }, { status: "investigating", count: 1 }]),
      openByAssignee: [{ assignee: null, count: 3 }, { assignee: "alice", count: 2 }],
      topDevices: { entries: [{ name: "ov-alpha", count: 3 }, { name: "ov-beta", count: 2 }], distinct: 2 },
      topProcesses: { entries: [{ name: "ovagent.exe", count: 2 }, { name: "ovsync.exe", count: 1 }, { name: "ovtool.exe", count: 2 }].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)), distinct: 3 },
      topDestinations: { entries: [{ name: "203.0.113.10", count: 3 }, { name: "203.0.113.20", count: 2 }, { name: "203.0.113.30", count: 1 }], distinct: 3 },
    });

    // Every count links to a list of as many findings.
    const listed = (slice: OverviewSlice) => {
      const href = findingsListHref(slice);
      const params = Object.fromEntries(new URL(href, "http://x").searchParams);
      return modules.findings.listFindingsPage("default", findingListQuery("default", params, "alice"), run).matching;
    };
    const checks: [OverviewSlice, number][] = [
      [{}, counts.open],
      [{ status: "all" }, counts.total],
      ...counts.openByStatus.map(({ status, count }): [OverviewSlice, number] => [{ status }, count]),
      ...counts.openByAssignee.map(({ assignee, count }): [OverviewSlice, number] => [{ assignee }, count]),
      ...counts.topDevices.entries.map(({ name, count }): [OverviewSlice, number] => [{ device: name }, count]),
      ...counts.topProcesses.entries.map(({ name, count }): [OverviewSlice, number] => [{ process: name }, count]),
      ...counts.topDestinations.entries.map(({ name, count }): [OverviewSlice, number] => [{ destination: name }, count]),
      ...fillDays(counts.byDay).flatMap((bucket) => [
        [{ status: "all", firstSeenDay: bucket.day }, bucket.total] as [OverviewSlice, number],
        ...(["critical", "high", "medium", "low"] as const).map((severity): [OverviewSlice, number] => [{ status: "all", firstSeenDay: bucket.day, severity }, bucket.counts[severity]]),
      ]),
    ];
    expect(checks.map(([slice]) => [slice, listed(slice)])).toEqual(checks);

    // Hidden as the list hides: an excluded process name leaves every count.
    await modules.db.prisma.allowlistEntry.create({ data: { list: "excludedBrowsers", value: "ovagent.exe", valueKey: "ovagent.exe" } });
    const hidden = overview.overviewCounts(run);
    expect([hidden.total, hidden.open, hidden.topProcesses.entries.map((entry) => entry.name)]).toEqual([3, 3, ["ovtool.exe", "ovsync.exe"]]);
  });
});
