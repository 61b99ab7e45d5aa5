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
      ["detection", "status", "resolved", "new"],
      ["detection", "classification", "false_positive", null],
      ["detection", "reason", "Lab test of the implant", null],
    ]);
    expect((await defaultList({})).rows.map((row) => [row.id, row.triage.status, row.triage.reopened !== null])).toEqual([[finding.id, "new", true]]);

    const audit = await modules.db.prisma.auditEntry.findMany({ where: { target: finding.id }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.actor, entry.action, entry.address])).toEqual([
      ["alice", "finding.triage", "192.0.2.10"],
      ["alice", "finding.triage", "192.0.2.10"],
      ["alice", "finding.note", "192.0.2.10"],
      ["detection", "finding.reopen", null],
    ]);
  });
});
