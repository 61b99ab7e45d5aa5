/**
 * Integration: importing suppressions and lists from files, all or nothing. Imported suppressions
 * are added as the API adds one (by the importer, with history, audit and matches); identical ones
 * are skipped; lists merge or are replaced. Real SQLite file, real ingest and detection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { SuppressionInput } from "../tuning/suppression";
import { parseLists, parseSuppressions, suppressionsCsv, type ImportResult } from "../tuning/tuning-transfer";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("tuning-transfer");

let modules: DetectionModules;
let store: typeof import("./tuning-transfer-store");
let suppressions: typeof import("./suppression-store");
let allowlists: typeof import("./allowlist-store");
let sqlite: typeof import("./sqlite-connection");

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
const rows = (device: string, pid: number, name: string, destinations: string[]) => [
  `2024-05-01T10:00:00Z,${device},ImageLoaded,bcrypt.dll,${pid},${name},,,`,
  ...destinations.map((destination, index) => `2024-05-01T10:0${index + 1}:00Z,${device},ConnectionSuccess,,${pid},${name},${destination.replace(":", ",")},Public`),
];
// The backup agent on ws-1 calls only its repository; the look-alike on ws-2 also calls a C2.
const TELEMETRY = [
  HEADER,
  ...rows("ws-1", 7, "Veeam.Backup.Service.exe", ["203.0.113.10:10005", "203.0.113.10:10005"]),
  ...rows("ws-2", 8, "Veeam.Backup.Service.exe", ["203.0.113.10:10005", "185.225.17.44:4444"]),
].join("\n");

const COLUMNS = "processName,processPath,sha256,remoteIp,remotePort,remoteDomain,deviceName,accountName,reason,expiresAt,createdBy,createdAt";
const carol = { label: "carol", address: "192.0.2.30" };
const bob = { label: "bob", address: "192.0.2.20" };

const valueOf = <T>(result: ImportResult<T>): T => {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.value;
};

beforeAll(async () => {
  modules = await importDetectionModules();
  store = await import("./tuning-transfer-store");
  suppressions = await import("./suppression-store");
  allowlists = await import("./allowlist-store");
  sqlite = await import("./sqlite-connection");
  await modules.ingest.ingestTelemetryText("veeam.csv", TELEMETRY, "cli:test");
  await modules.detection.runDetection();
}, 60_000);

const runId = async () => (await modules.settings.readDetectionRun())!.runId;
/** Rows in each table an import writes to. */
const tableCounts = () =>
  Object.fromEntries(
    ["Suppression", "SuppressionHistory", "FindingSuppression", "AuditEntry"].map((table) => [
      table,
      sqlite.sqliteConnection().prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number,
    ]),
  );

describe("importing suppressions", () => {
  it("adds every entry as the API adds one (by the importer, with history, audit and matches) and skips one identical to an entry stored, in force or expired", async () => {
    const run = await runId();
    // Bob's entry in force, and an expired one: each makes an identical row a duplicate.
    suppressions.addSuppression({ conditions: { processName: "=calc.exe", remoteIp: ["10.0.0.0/8"] }, reason: "=HYPERLINK(\"x\")", expiresAt: null }, bob, run);
    suppressions.addSuppression({ conditions: { processName: "old.exe" }, reason: "gone", expiresAt: "2020-01-01T00:00:00Z" }, bob, run);
    const before = suppressions.listSuppressions(run).length;
    const file = [
      COLUMNS,
      `veeam.backup.service.exe,,,203.0.113.0/24,,,,,Veeam backup to its repository,2099-01-01T00:00:00.000Z,mallory,2000-01-01T00:00:00.000Z`,
      `'=calc.exe,,,10.0.0.0/8,,,,,"'=HYPERLINK(""x"")",,,`,
      `old.exe,,,,,,,,gone,2020-01-01T00:00:00Z,,`,
      `old.exe,,,,,,,,gone,2020-01-01T00:00:00Z,,`,
    ].join("\n");
    const inputs = valueOf(parseSuppressions(file, "csv"));
    expect(store.importSuppressions(inputs, carol)).toEqual({ added: 1, skipped: 3 });

    const added = suppressions.listSuppressions(run).filter((entry) => entry.createdBy === "carol");
    expect(suppressions.listSuppressions(run)).toHaveLength(before + 1);
    const veeam = added.find((entry) => entry.reason === "Veeam backup to its repository")!;
    // Matched at once: ws-1's finding in each mode (ws-2's also calls the C2).
    expect([veeam.conditions, veeam.expiresAt, veeam.suppresses]).toEqual([
      { processName: "veeam.backup.service.exe", remoteIp: ["203.0.113.0/24"] },
      "2099-01-01T00:00:00.000+00:00",
      2,
    ]);
    expect(added.map((entry) => entry.reason)).toEqual(["Veeam backup to its repository"]);
    for (const entry of added) {
      expect(suppressions.suppressionHistory(entry.id).map(({ actor, change }) => [actor, change])).toEqual([["carol", "added"]]);
      const audit = await modules.db.prisma.auditEntry.findMany({ where: { target: entry.id } });
      expect(audit.map(({ actor, action, address }) => [actor, action, address])).toEqual([["carol", "suppression.add", "192.0.2.30"]]);
    }
  });

  it("reads back its own export as the entries already there: nothing is added again, expired ones included", async () => {
    const exported = store.exportedSuppressions();
    expect(exported.map((entry) => [entry.createdBy, entry.reason, entry.expiresAt])).toEqual([
      ["bob", '=HYPERLINK("x")', null],
      ["bob", "gone", "2020-01-01T00:00:00.000Z"],
      ["carol", "Veeam backup to its repository", "2099-01-01T00:00:00.000Z"],
    ]);
    const counts = tableCounts();
    expect(store.importSuppressions(valueOf(parseSuppressions(suppressionsCsv(exported), "csv")), carol)).toEqual({ added: 0, skipped: 3 });
    expect(tableCounts()).toEqual(counts);
  });

  it("refuses a file with an invalid row, naming its line, and stores nothing", async () => {
    const counts = tableCounts();
    const file = [COLUMNS, `a.exe,,,,,,,,fine,,,`, `b.exe,,,0.0.0.0/0,,,,,everything,,,`, `c.exe,,,,,,,,also fine,,,`].join("\n");
    expect(parseSuppressions(file, "csv")).toEqual({
      ok: false,
      problems: [{ line: 3, message: "remoteIp: A CIDR block is at least /8 (IPv4) or /16 (IPv6; an IPv4-mapped block /104)." }],
      problemCount: 1,
    });
    expect(tableCounts()).toEqual(counts);
  });

  it("undoes every entry it added when a later one fails", async () => {
    const counts = tableCounts();
    const good: SuppressionInput = { conditions: { processName: "veeam.backup.service.exe", deviceName: "ws-1" }, reason: "would match", expiresAt: null };
    // Not JSON-serialisable: storing it throws, after the first entry was written in the same transaction.
    const poisoned = { conditions: { processName: "x.exe", remotePort: [10n] }, reason: "poison", expiresAt: null } as unknown as SuppressionInput;
    expect(() => store.importSuppressions([good, poisoned], carol)).toThrow(/BigInt/);
    expect(tableCounts()).toEqual(counts);
    expect(suppressions.listSuppressions(null).some((entry) => entry.reason === "would match")).toBe(false);
  });
});

describe("importing lists", () => {
  const listOf = async (list: string) =>
    (await allowlists.listAllowlistEntries()).filter((entry) => entry.list === list).map((entry) => entry.value);

  it("merges: adds the values a list lacks, skips those it has (whatever their case) and those given twice", async () => {
    const crypto = await listOf("cryptoLibraries");
    expect(crypto).toEqual(["bcrypt.dll", "bcryptprimitives.dll", "cryptsp.dll", "ncrypt.dll", "rsaenh.dll"]);
    const file = "list,value\ncryptoLibraries,libcrypto-3-x64.dll\ncryptoLibraries,BCRYPT.DLL\nstandardPorts,7443\nstandardPorts,07443\n";
    expect(await store.importLists(valueOf(parseLists(file, "csv")), "merge")).toEqual({
      added: 2,
      skipped: 2,
      changes: [
        { list: "cryptoLibraries", added: ["libcrypto-3-x64.dll"], removed: [] },
        { list: "standardPorts", added: ["7443"], removed: [] },
      ],
    });
    expect(await listOf("cryptoLibraries")).toEqual([...crypto.slice(0, 3), "libcrypto-3-x64.dll", ...crypto.slice(3)]);
    expect(await listOf("standardPorts")).toContain("7443");
    expect((await listOf("standardPorts")).length).toBe(17);
  });

  it("replaces: each list the file names becomes exactly its values; the others stay", async () => {
    const untouched = [await listOf("cryptoLibraries"), await listOf("excludedSystemProcesses")];
    const json = JSON.stringify({ format: "cipherwatch-lists", version: 1, lists: { excludedBrowsers: ["arc.exe", "Chrome.exe"], standardPorts: [] } });
    const result = await store.importLists(valueOf(parseLists(json, "json")), "replace");
    expect(result).toEqual({
      added: 1,
      skipped: 1,
      removed: 6 + 17,
      changes: [
        { list: "excludedBrowsers", added: ["arc.exe"], removed: ["brave.exe", "firefox.exe", "iexplore.exe", "msedge.exe", "opera.exe", "vivaldi.exe"] },
        { list: "standardPorts", added: [], removed: ["20", "21", "22", "25", "53", "80", "110", "143", "443", "465", "587", "993", "995", "3389", "7443", "8080", "8443"] },
      ],
    });
    // chrome.exe was there already: it keeps its spelling.
    expect(await listOf("excludedBrowsers")).toEqual(["arc.exe", "chrome.exe"]);
    expect(await listOf("standardPorts")).toEqual([]);
    expect([await listOf("cryptoLibraries"), await listOf("excludedSystemProcesses")]).toEqual(untouched);
    // Replacing again with the same file changes nothing.
    expect(await store.importLists(valueOf(parseLists(json, "json")), "replace")).toEqual({ added: 0, skipped: 2, removed: 0, changes: [] });
  });

  it("refuses an invalid value with its line, and changes nothing even when a caller skips the check", async () => {
    const before = await allowlists.listAllowlistEntries();
    expect(parseLists("list,value\ncryptoLibraries,new.dll\nstandardPorts,99999\n", "csv")).toEqual({
      ok: false,
      problems: [{ line: 3, message: "value: A port is a whole number from 1 to 65535." }],
      problemCount: 1,
    });
    await expect(store.importLists({ cryptoLibraries: ["new.dll"], standardPorts: ["99999"] }, "merge")).rejects.toThrow("standardPorts: A port is a whole number from 1 to 65535.");
    expect(await allowlists.listAllowlistEntries()).toEqual(before);
  });

  it("exports the lists as stored", async () => {
    expect(await store.exportedLists()).toEqual({
      cryptoLibraries: await listOf("cryptoLibraries"),
      excludedSystemProcesses: await listOf("excludedSystemProcesses"),
      excludedBrowsers: ["arc.exe", "chrome.exe"],
      standardPorts: [],
    });
  });
});

describe("reading an import request", () => {
  const request = (body: BodyInit, headers: Record<string, string>, url = "http://localhost/api/suppressions/import") => new Request(url, { method: "POST", body, headers });

  it("takes the format from ?format= or the content type, never from a form's", async () => {
    expect(await store.readImportFile(request("a,b", { "content-type": "text/csv; charset=utf-8" }), undefined)).toEqual({ text: "a,b", format: "csv" });
    expect(await store.readImportFile(request("{}", { "content-type": "application/json" }), undefined)).toEqual({ text: "{}", format: "json" });
    expect(await store.readImportFile(request("{}", { "content-type": "application/octet-stream" }), "json")).toEqual({ text: "{}", format: "json" });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      await expect(store.readImportFile(request("{}", { "content-type": type }), "json")).rejects.toMatchObject({ status: 415 });
    }
    await expect(store.readImportFile(request("{}", { "content-type": "application/octet-stream" }), undefined)).rejects.toMatchObject({ status: 415 });
  });

  it("reads at most 5 MiB, as UTF-8", async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x61);
    await expect(store.readImportFile(request(big, { "content-type": "text/csv" }), undefined)).rejects.toMatchObject({ status: 413, code: "file_too_large" });
    // No declared length (streamed): counted as it arrives.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 6; i++) controller.enqueue(new Uint8Array(1024 * 1024).fill(0x61));
        controller.close();
      },
    });
    const streamed = new Request("http://localhost/x", { method: "POST", body: stream, headers: { "content-type": "text/csv" }, duplex: "half" } as RequestInit);
    await expect(store.readImportFile(streamed, undefined)).rejects.toMatchObject({ status: 413 });
    await expect(store.readImportFile(request(new Uint8Array([0x61, 0xff]), { "content-type": "text/csv" }), undefined)).rejects.toMatchObject({ status: 400, code: "not_utf8" });
    expect((await store.readImportFile(request(new TextEncoder().encode("é,\u{1F600}"), { "content-type": "text/csv" }), undefined)).text).toBe("é,\u{1F600}");
  });
});
