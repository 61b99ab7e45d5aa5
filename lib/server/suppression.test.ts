/**
 * Integration: suppressions hide stored findings at once (no rerun), narrow to what they name,
 * preview what they would change, expire at their time, survive reruns, and keep their history.
 * Real SQLite file, real ingest and detection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { findingListQuery } from "../detection/finding-list";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("suppression");

let modules: DetectionModules;
let suppressions: typeof import("./suppression-store");

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
const rows = (device: string, pid: number, name: string, destinations: string[]) => [
  `2024-05-01T10:00:00Z,${device},ImageLoaded,bcrypt.dll,${pid},${name},,,`,
  ...destinations.map((destination, index) => `2024-05-01T10:0${index + 1}:00Z,${device},ConnectionSuccess,,${pid},${name},${destination.replace(":", ",")},Public`),
];
// The backup agent calls only its repository; the look-alike on ws-2 also calls a C2.
const CSV = [HEADER, ...rows("ws-1", 7, "Veeam.Backup.Service.exe", ["203.0.113.10:10005", "203.0.113.10:10005"]), ...rows("ws-2", 8, "Veeam.Backup.Service.exe", ["203.0.113.10:10005", "185.225.17.44:4444"])].join("\n");
const analyst = { label: "alice", address: "192.0.2.10" };

beforeAll(async () => {
  modules = await importDetectionModules();
  suppressions = await import("./suppression-store");
}, 60_000);

const run = () => modules.settings.readDetectionRun();
const listed = async (mode: "default" | "kql", params: Record<string, string> = {}) => {
  const query = findingListQuery(mode, { severityRank: "all", ...params }, null);
  return [...modules.findings.allFindings(mode as "default", await run(), query)].flat().map((finding) => [finding.id, finding.suppressedBy]);
};
const idsOn = async (device: string) => {
  const all = [...(await listed("default", { suppressed: "include" })), ...(await listed("kql", { suppressed: "include" }))].map(([id]) => id as string);
  const rowsOf = await modules.db.prisma.finding.findMany({ where: { runId: (await run())!.runId, deviceName: device }, select: { id: true } });
  return all.filter((id) => rowsOf.some((row) => row.id === id)).sort();
};

describe("suppressions", () => {
  it("hide what they name in both modes at once, preview first, expire, survive a rerun, and keep their history", async () => {
    await modules.ingest.ingestTelemetryText("veeam.csv", CSV, "cli:test");
    await modules.detection.runDetection();
    const [ws1, ws2] = [await idsOn("ws-1"), await idsOn("ws-2")];
    const defaultIds = (await listed("default", { suppressed: "include" })).map(([id]) => id as string);
    expect([ws1.length, ws2.length]).toEqual([2, 2]);

    // ws-2's process also calls 185.225.17.44: a suppression of the repository's block leaves it listed.
    const input = { conditions: { processName: "veeam.backup.service.exe", remoteIp: ["203.0.113.0/24"] }, reason: "Veeam backup to its repository", expiresAt: null };
    expect(suppressions.previewSuppression((await run())!.runId, input, null)).toEqual({ suppresses: ws1, restores: [] });
    const entry = suppressions.addSuppression(input, analyst, (await run())!.runId);
    // ws-1's finding in each mode.
    expect([entry.suppresses, entry.expired, entry.createdBy]).toEqual([2, false, "alice"]);
    // The list keeps ws-2's finding only, suppressed by nothing.
    expect(await listed("default")).toEqual([[ws2.find((id) => defaultIds.includes(id)), []]]);
    expect((await listed("default", { suppressed: "only" })).map(([, by]) => by)).toEqual([[entry.id]]);
    expect((await listed("kql", { suppressed: "only" })).map(([, by]) => by)).toEqual([[entry.id]]);
    expect(await listed("default", { device: "ws-1" })).toEqual([]);
    // The entry's own list: what it hides now, whatever `suppressed` says; another id hides nothing.
    expect(await listed("default", { suppressedBy: entry.id })).toEqual([[ws1.find((id) => defaultIds.includes(id)), [entry.id]]]);
    expect(await listed("kql", { suppressedBy: entry.id, suppressed: "include" })).toEqual([[ws1.find((id) => !defaultIds.includes(id)), [entry.id]]]);
    expect(await listed("default", { suppressedBy: "0".repeat(32) })).toEqual([]);

    // Expired a second ago: it stops applying, and says so.
    const expired = suppressions.updateSuppression(entry.id, { expiresAt: new Date(Date.now() - 1000).toISOString() }, analyst, (await run())!.runId);
    expect([expired.expired, expired.suppresses]).toEqual([true, 0]);
    expect(await listed("default", { suppressedBy: entry.id })).toEqual([]);
    // The SIEM exports compile in only what is in force.
    expect(suppressions.suppressionsInForce()).toEqual([]);
    expect((await listed("default", { device: "ws-1" })).map(([, by]) => by)).toEqual([[]]);

    // In force again, through a rerun of everything (a settings change), then previewed for removal.
    suppressions.updateSuppression(entry.id, { expiresAt: null }, analyst, (await run())!.runId);
    expect(suppressions.suppressionsInForce()).toEqual([{ id: entry.id, conditions: input.conditions, expiresAt: null }]);
    await modules.settings.writeDetectionSettings({ ...(await modules.settings.readDetectionSettings()), lookbackHours: 48 });
    await modules.detection.runDetection();
    expect(await listed("default", { device: "ws-1" })).toEqual([]);
    expect(suppressions.previewSuppression((await run())!.runId, null, entry.id)).toEqual({ suppresses: [], restores: ws1 });

    suppressions.removeSuppression(entry.id, analyst);
    expect((await listed("default", { device: "ws-1" })).length).toBe(1);
    expect(suppressions.suppressionHistory(entry.id).map(({ actor, change, after }) => [actor, change, after?.expiresAt ?? null])).toEqual([
      ["alice", "added", null],
      ["alice", "updated", expired.expiresAt],
      ["alice", "updated", null],
      ["alice", "removed", null],
    ]);
    const audit = await modules.db.prisma.auditEntry.findMany({ where: { target: entry.id }, orderBy: { id: "asc" } });
    expect(audit.map((row) => row.action)).toEqual(["suppression.add", "suppression.update", "suppression.update", "suppression.remove"]);
  });
});
