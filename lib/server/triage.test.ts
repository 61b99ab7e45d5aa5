/**
 * Integration: a finding's triage, notes and history, kept by the finding's id through reruns,
 * filtered in the list, reopened when detection sees new activity, and recorded in the audit log.
 * Real SQLite file, real ingest and detection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { findingListQuery } from "../detection/finding-list";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("triage");

let modules: DetectionModules;
let triage: typeof import("./triage-store");

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
const connection = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, "0")}:00Z,ws-1,ConnectionSuccess,,7,Implant.exe,198.51.100.7,4444,Public`;
// A crypto load, then connections at 10:01 to 10:06: a finding in both modes.
const FIRST_UPLOAD = [HEADER, "2024-05-01T10:00:00Z,ws-1,ImageLoaded,bcrypt.dll,7,Implant.exe,,,", ...[1, 2, 3, 4, 5, 6].map(connection)].join("\n");
// The same process connecting again at 10:07 and 10:08.
const LATER_UPLOAD = [HEADER, connection(7), connection(8)].join("\n");

const alice = { label: "alice", address: "192.0.2.10" };

beforeAll(async () => {
  modules = await importDetectionModules();
  triage = await import("./triage-store");
  const { prisma } = modules.db;
  for (const [username, role] of [
    ["alice", "analyst"],
    ["victor", "viewer"],
  ]) {
    await prisma.user.create({ data: { id: username, name: username, email: `${username}@example.test`, username, role } });
  }
}, 60_000);

// Low findings included: a lone crypto load then connection is low, out of the default queue.
const defaultList = async (params: Record<string, string>, username: string | null = "alice") =>
  modules.findings.listFindingsPage("default", findingListQuery("default", { severityRank: "all", ...params }, username), await modules.settings.readDetectionRun());

describe("triage", () => {
  it("is kept by the finding's id, filtered in the list, and reopened by new activity", async () => {
    await modules.ingest.ingestTelemetryText("first.csv", FIRST_UPLOAD, "cli:test");
    const firstRun = await modules.detection.runDetection();
    const [finding] = [...modules.findings.allFindings("default", firstRun)].flat();
    expect(finding.triage).toEqual({ status: "new", classification: null, reason: null, assignee: null, tags: [], reopened: null });

    // Assigning to an account that cannot triage is refused; to an analyst, by any case of the name, works.
    const mark = await triage.currentFindingMark(finding.id);
    expect(mark).toEqual({ lastConnection: "2024-05-01T10:06:00.0000000Z", connections: 6, rules: ["crypto-load-then-connect"] });
    expect(() => triage.changeFindingTriage(finding.id, { assignee: "victor" }, mark, alice)).toThrow("No active account is named \"victor\".");
    triage.changeFindingTriage(finding.id, { status: "investigating", assignee: "Alice", tags: ["c2"] }, mark, alice);
    expect(() => triage.changeFindingTriage(finding.id, { status: "resolved", classification: "false_positive" }, mark, alice)).toThrow("Give the reason for this classification.");
    triage.changeFindingTriage(finding.id, { status: "resolved", classification: "false_positive", reason: "Lab test of the implant" }, mark, alice);
    triage.addFindingNote(finding.id, "=HYPERLINK(\"http://x\") <b>not markup</b>", alice);

    const detail = triage.triageDetail(finding.id);
    expect({ ...detail, notes: detail.notes.map(({ author, text }) => ({ author, text })), history: detail.history.map(({ actor, field, from, to }) => [actor, field, from, to]) }).toEqual({
      status: "resolved",
      classification: "false_positive",
      reason: "Lab test of the implant",
      assignee: "alice",
      tags: ["c2"],
      reopened: null,
      notes: [{ author: "alice", text: "=HYPERLINK(\"http://x\") <b>not markup</b>" }],
      history: [
        ["alice", "status", "new", "investigating"],
        ["alice", "assignee", null, "alice"],
        ["alice", "tags", null, "c2"],
        ["alice", "status", "investigating", "resolved"],
        ["alice", "classification", null, "false_positive"],
        ["alice", "reason", null, "Lab test of the implant"],
      ],
    });

    // The open queue leaves it out; each filter finds it.
    expect((await defaultList({})).matching).toBe(0);
    for (const params of <Record<string, string>[]>[{ status: "resolved" }, { status: "all" }, { status: "all", assignee: "mine" }, { status: "all", classification: "false_positive" }, { status: "all", tag: "C2" }]) {
      expect([params, (await defaultList(params)).rows.map((row) => [row.id, row.triage.status])]).toEqual([params, [[finding.id, "resolved"]]]);
    }
    for (const params of <Record<string, string>[]>[{ status: "new" }, { status: "all", assignee: "none" }, { status: "all", assignee: "mine" }, { status: "all", classification: "benign" }, { status: "all", tag: "apt" }]) {
      const username = params.assignee === "mine" ? "bob" : "alice";
      expect([params, (await defaultList(params, username)).matching]).toEqual([params, 0]);
    }

    // A rerun with nothing new keeps it resolved.
    await modules.settings.writeDetectionSettings({ ...(await modules.settings.readDetectionSettings()), lookbackHours: 48 });
    const secondRun = await modules.detection.runDetection();
    expect(secondRun.runId).not.toBe(firstRun.runId);
    expect(triage.triageOf([finding.id]).get(finding.id)?.status).toBe("resolved");

    // New connections of the same process reopen it, with what changed; detection is the actor.
    await modules.ingest.ingestTelemetryText("later.csv", LATER_UPLOAD, "cli:test");
    await modules.detection.runDetection();
    const reopened = triage.triageDetail(finding.id);
    expect([reopened.status, reopened.classification, reopened.reason, reopened.assignee, reopened.reopened]).toEqual([
      "new",
      null,
      null,
      "alice",
      "Reopened: new activity: connections after it was resolved: last seen 2024-05-01T10:06:00.0000000Z, now 2024-05-01T10:08:00.0000000Z (6 connections then, 8 now).",
    ]);
    expect(reopened.history.slice(6).map(({ actor, field, from, to }) => [actor, field, from, to])).toEqual([
      ["system:detection", "status", "resolved", "new"],
      ["system:detection", "classification", "false_positive", null],
      ["system:detection", "reason", "Lab test of the implant", null],
    ]);
    expect((await defaultList({})).rows.map((row) => [row.id, row.triage.status, row.triage.reopened !== null])).toEqual([[finding.id, "new", true]]);

    const audit = await modules.db.prisma.auditEntry.findMany({ where: { target: finding.id }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.actor, entry.action, entry.address])).toEqual([
      ["alice", "finding.triage", "192.0.2.10"],
      ["alice", "finding.triage", "192.0.2.10"],
      ["alice", "finding.note", "192.0.2.10"],
      ["system:detection", "finding.reopen", null],
    ]);
  });

  it("filters by destination, rule and first and last seen days, in both modes", async () => {
    const run = await modules.settings.readDetectionRun();
    const matching = (mode: "default" | "kql", params: Record<string, string>) =>
      modules.findings.listFindingsPage(mode as "default", findingListQuery(mode, { severityRank: "all", status: "all", ...params }, null), run).matching;
    const cases: [Record<string, string>, number][] = [
      [{ destination: "198.51.100.7" }, 1],
      [{ destination: "198.51.100.8" }, 0],
      [{ rule: "crypto-load-then-connect" }, 1],
      [{ rule: "beacon-only" }, 0],
      [{ firstSeenFrom: "2024-05-01", firstSeenTo: "2024-05-02" }, 1],
      [{ firstSeenFrom: "2024-05-02" }, 0],
      [{ firstSeenTo: "2024-05-01" }, 0],
      [{ lastSeenFrom: "2024-05-01", lastSeenTo: "2024-05-02" }, 1],
      [{ lastSeenTo: "2024-05-01" }, 0],
    ];
    expect(cases.map(([params]) => [params, matching("default", params)])).toEqual(cases);
    // The seed query's rows: its addresses and times (no rules).
    expect([matching("kql", { destination: "198.51.100.7" }), matching("kql", { destination: "198.51.100.8" }), matching("kql", { firstSeenFrom: "2024-05-02" })]).toEqual([1, 0, 0]);
  });

  it("changes several findings in one transaction: all of them, or none when one refuses", async () => {
    const other = [HEADER, "2024-05-01T11:00:00Z,ws-2,ImageLoaded,bcrypt.dll,9,Other.exe,,,", "2024-05-01T11:01:00Z,ws-2,ConnectionSuccess,,9,Other.exe,198.51.100.9,4444,Public"].join("\n");
    await modules.ingest.ingestTelemetryText("other.csv", other, "cli:test");
    const run = await modules.detection.runDetection();
    const ids = [...modules.findings.allFindings("default", run, findingListQuery("default", { severityRank: "all", status: "all" }, null))].flat().map((finding) => finding.id);
    expect(ids).toHaveLength(2);
    const marks = await triage.currentFindingMarks(ids);
    await expect(triage.currentFindingMarks([...ids, "0000000000000000"])).rejects.toThrow("The current detection run has no finding with these ids: 0000000000000000.");

    const summaries = () => ids.map((id) => triage.triageOf([id]).get(id)!).map(({ status, tags, classification }) => [status, tags, classification]);
    triage.changeFindingsTriage(marks, { status: "investigating", addTags: ["bulk"] }, alice);
    // The first finding kept its own tag beside the added one.
    expect(summaries()).toEqual([
      ["investigating", ["c2", "bulk"], null],
      ["investigating", ["bulk"], null],
    ]);
    // The first finding takes this change (it is resolved with a reason already), the second refuses it: neither changes.
    triage.changeFindingTriage(ids[0], { status: "resolved", classification: "benign", reason: "Red team exercise" }, marks.get(ids[0])!, alice);
    expect(() => triage.changeFindingsTriage(marks, { status: "resolved", classification: "benign", addTags: ["refused"] }, alice)).toThrow("Give the reason for this classification.");
    expect(summaries()).toEqual([
      ["resolved", ["c2", "bulk"], "benign"],
      ["investigating", ["bulk"], null],
    ]);

    triage.changeFindingsTriage(marks, { status: "resolved", classification: "benign", reason: "Red team exercise" }, alice);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect([(await defaultList({ status: "resolved", resolvedFrom: today })).matching, (await defaultList({ status: "resolved", resolvedFrom: tomorrow })).matching]).toEqual([2, 0]);
    // Both are low: "high and above" holds none of them, "low and above" both.
    expect([(await defaultList({ status: "all", severityRank: "2-3" })).matching, (await defaultList({ status: "all", severityRank: "0-3" })).matching]).toEqual([0, 2]);
  });
});
