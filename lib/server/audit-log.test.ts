/**
 * Integration: the audit log on a real SQLite file — filters, paging order, and a CSV export a
 * spreadsheet shows as text.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const directory = mkdtempSync(path.join(tmpdir(), "cw-audit-"));
process.env.DATABASE_URL = `file:${path.join(directory, "test.db")}`;

let audit: typeof import("./audit-log");
let db: typeof import("./db");

beforeAll(async () => {
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: process.env, stdio: "pipe" });
  audit = await import("./audit-log");
  db = await import("./db");
  const entries = [
    { at: "2026-11-20T08:00:00.000Z", actor: "kim", action: "session.sign_in", address: "10.0.0.5" },
    { at: "2026-11-21T09:30:00.000Z", actor: "kim", action: "allowlist.add", target: "excludedBrowsers", detail: '{"value":"chrome.exe"}', address: "10.0.0.5" },
    { at: "2026-11-22T10:00:00.000Z", actor: "-2+3", action: "session.sign_in_failed", detail: '{"reason":"wrong username or password"}', address: "203.0.113.9" },
  ];
  for (const entry of entries) await db.prisma.auditEntry.create({ data: { ...entry, at: new Date(entry.at) } });
}, 60_000);

afterAll(async () => {
  await db?.prisma.$disconnect();
  rmSync(directory, { recursive: true, force: true });
});

const query = (filters: Record<string, string>) => audit.auditQuerySchema.parse(filters);

describe("audit log", () => {
  it("lists newest first and filters by actor, action and time", async () => {
    expect((await audit.listAuditEntries(query({}))).entries.map((entry) => entry.action)).toEqual(["session.sign_in_failed", "allowlist.add", "session.sign_in"]);
    const kim = await audit.listAuditEntries(query({ actor: "kim", action: "allowlist.add" }));
    expect(kim.total).toBe(1);
    expect(kim.entries[0]).toMatchObject({ at: "2026-11-21T09:30:00.000Z", target: "excludedBrowsers", detail: { value: "chrome.exe" }, address: "10.0.0.5" });
    // `to` is exclusive: the entry at exactly 10:00 on the 22nd is outside.
    const window = await audit.listAuditEntries(query({ from: "2026-11-21T00:00:00Z", to: "2026-11-22T10:00:00Z" }));
    expect(window.entries.map((entry) => entry.at)).toEqual(["2026-11-21T09:30:00.000Z"]);
  });

  it("refuses an unknown action and a time that is not ISO 8601", () => {
    expect(() => query({ action: "drop.table" })).toThrow();
    expect(() => query({ from: "yesterday" })).toThrow();
  });

  it("exports CSV whose formula-like cells a spreadsheet shows as text", async () => {
    let csv = "";
    for await (const part of audit.auditCsv(query({}))) csv += part;
    expect(csv.split("\n")).toEqual([
      "at,actor,action,target,address,detail",
      `2026-11-22T10:00:00.000Z,'-2+3,session.sign_in_failed,,203.0.113.9,"{""reason"":""wrong username or password""}"`,
      `2026-11-21T09:30:00.000Z,kim,allowlist.add,excludedBrowsers,10.0.0.5,"{""value"":""chrome.exe""}"`,
      "2026-11-20T08:00:00.000Z,kim,session.sign_in,,10.0.0.5,{}",
      "",
    ]);
  });
});
