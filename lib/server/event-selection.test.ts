/**
 * Integration: detection reads only what it uses, chosen in SQLite: process creations,
 * successful connections and crypto-library loads (any case; a non-ASCII name is left to
 * detection's own check). Real SQLite file, real ingest.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const directory = mkdtempSync(path.join(tmpdir(), "cw-selection-"));
process.env.DATABASE_URL = `file:${path.join(directory, "test.db")}`;

let store: typeof import("./event-store");
let db: typeof import("./db");

const CSV = [
  "Timestamp,DeviceName,ActionType,FileName,ProcessId,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType",
  "2024-05-01T10:00:00Z,ws-1,ImageLoaded,BCRYPT.DLL,,7,a.exe,,,",
  "2024-05-01T10:00:01Z,ws-1,ImageLoaded,kernel32.dll,,7,a.exe,,,",
  "2024-05-01T10:00:02Z,ws-1,ImageLoaded,bcrypt\u0130.dll,,7,a.exe,,,",
  "2024-05-01T10:00:03Z,ws-1,ConnectionSuccess,,,7,a.exe,198.51.100.7,4444,Public",
  "2024-05-01T10:00:04Z,ws-1,ConnectionFailed,,,7,a.exe,198.51.100.7,4444,Public",
  "2024-05-01T10:00:05Z,ws-1,ProcessCreated,b.exe,8,7,a.exe,,,",
].join("\n");

beforeAll(async () => {
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: process.env, stdio: "pipe" });
  store = await import("./event-store");
  db = await import("./db");
  const ingest = await import("./ingest-upload");
  const result = await ingest.ingestTelemetryText("mixed.csv", CSV, "cli:test");
  expect([result.accepted, result.rejected]).toEqual([6, 0]);
}, 60_000);

afterAll(async () => {
  await db?.prisma.$disconnect();
  rmSync(directory, { recursive: true, force: true });
});

const read = (...args: Parameters<typeof store.completeEventsByDevice>) =>
  [...store.completeEventsByDevice(...args)].map((device) => ("events" in device ? device.events.map((event) => event.fileName ?? event.actionType) : device.skippedEvents));

describe("completeEventsByDevice with detection's selection", () => {
  it("reads process creations, successful connections and crypto loads only", () => {
    expect(read()).toEqual([["BCRYPT.DLL", "kernel32.dll", "bcrypt\u0130.dll", "ConnectionSuccess", "ConnectionFailed", "b.exe"]]);
    expect(read(Number.POSITIVE_INFINITY, undefined, { cryptoLibraries: ["bcrypt.dll"] })).toEqual([["BCRYPT.DLL", "bcrypt\u0130.dll", "ConnectionSuccess", "b.exe"]]);
    expect(read(Number.POSITIVE_INFINITY, undefined, { cryptoLibraries: [] })).toEqual([["bcrypt\u0130.dll", "ConnectionSuccess", "b.exe"]]);
  });

  it("budgets a device by what it would read, not by all it stores", () => {
    // Six stored, four selected: a budget of five reads it (six would not fit), three skips it and says four.
    expect(read(5, undefined, { cryptoLibraries: ["bcrypt.dll"] })).toEqual([["BCRYPT.DLL", "bcrypt\u0130.dll", "ConnectionSuccess", "b.exe"]]);
    expect(read(3, undefined, { cryptoLibraries: ["bcrypt.dll"] })).toEqual([4]);
  });
});
