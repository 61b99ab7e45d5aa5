/**
 * Integration: an event stored once belongs to every dataset that contained it. Deleting one
 * dataset (or failing an upload) removes only the events no other dataset holds, so another
 * dataset's findings keep their evidence. Real SQLite file, real ingest path.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("delete");

type Modules = {
  ingest: typeof import("./ingest-upload");
  datasets: typeof import("./dataset-store");
  detection: typeof import("./run-detection");
  findings: typeof import("./findings-store");
  db: typeof import("./db");
};
let modules: Modules;

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
// One crypto load, then six connections a minute apart: the seed query counts 6 pairs.
const ROWS = [
  "2024-05-01T10:00:00Z,ws-1,ImageLoaded,bcrypt.dll,7,implant.exe,,,",
  ...Array.from({ length: 6 }, (_, minute) => `2024-05-01T10:0${minute + 1}:00Z,ws-1,ConnectionSuccess,,7,implant.exe,198.51.100.7,4444,Public`),
];
const WHOLE = [HEADER, ...ROWS].join("\n");
// The load and the first three connections.
const FIRST_HALF = [HEADER, ...ROWS.slice(0, 4)].join("\n");

async function seedConnectionCount(): Promise<number | null> {
  const run = await modules.detection.runDetection();
  const rows = [...modules.findings.allFindings("kql", run)].flat();
  return rows.length === 0 ? null : rows[0].ConnectionCount;
}

const eventCount = () => modules.db.prisma.telemetryEvent.count();

beforeAll(async () => {
  modules = {
    ingest: await import("./ingest-upload"),
    datasets: await import("./dataset-store"),
    detection: await import("./run-detection"),
    findings: await import("./findings-store"),
    db: await import("./db"),
  };
}, 60_000);

beforeEach(async () => {
  for (const dataset of await modules.datasets.listDatasets()) await modules.datasets.deleteDataset(dataset.id);
  expect(await eventCount()).toBe(0);
});


describe("deleting a dataset", () => {
  it("keeps the events a later, larger upload also holds: the whole export's findings keep every connection", async () => {
    const slice = await modules.ingest.ingestTelemetryText("first-half.csv", FIRST_HALF, "cli:test");
    const whole = await modules.ingest.ingestTelemetryText("whole.csv", WHOLE, "cli:test");
    expect([whole.accepted, whole.duplicates]).toEqual([3, 4]);
    expect(await seedConnectionCount()).toBe(6);

    expect(await modules.datasets.datasetDeletionImpact(slice.datasetId)).toEqual({ removed: 0, kept: 4 });
    expect(await modules.datasets.deleteDataset(slice.datasetId)).toEqual({ removed: 0, kept: 4, fileName: "first-half.csv" });
    expect(await eventCount()).toBe(7);
    expect(await seedConnectionCount()).toBe(6);

    // The whole export now owns all seven: deleting it removes them.
    expect(await modules.datasets.deleteDataset(whole.datasetId)).toEqual({ removed: 7, kept: 0, fileName: "whole.csv" });
    expect(await eventCount()).toBe(0);
    expect(await modules.db.prisma.eventShare.count()).toBe(0);
  });

  it("hands the shared events to the smaller upload when the larger one, stored first, is deleted", async () => {
    const whole = await modules.ingest.ingestTelemetryText("whole.csv", WHOLE, "cli:test");
    const slice = await modules.ingest.ingestTelemetryText("first-half.csv", FIRST_HALF, "cli:test");
    expect([slice.accepted, slice.duplicates]).toEqual([0, 4]);

    expect(await modules.datasets.deleteDataset(whole.datasetId)).toEqual({ removed: 3, kept: 4, fileName: "whole.csv" });
    expect(await eventCount()).toBe(4);
    expect(await seedConnectionCount()).toBe(3);
    expect(await modules.datasets.deleteDataset(slice.datasetId)).toEqual({ removed: 4, kept: 0, fileName: "first-half.csv" });
    expect(await eventCount()).toBe(0);
  });

  it("refuses to delete a running upload with a 409", async () => {
    const running = await modules.db.prisma.dataset.create({ data: { fileName: "running.csv", format: "csv", tables: "" } });
    await expect(modules.datasets.deleteDataset(running.id)).rejects.toMatchObject({ status: 409, code: "dataset_running" });
    await expect(modules.datasets.datasetDeletionImpact(running.id)).rejects.toMatchObject({ status: 409 });
    await modules.db.prisma.dataset.update({ where: { id: running.id }, data: { status: "failed" } });
    expect(await modules.datasets.deleteDataset(running.id)).toEqual({ removed: 0, kept: 0, fileName: "running.csv" });
    expect(await modules.datasets.deleteDataset(running.id)).toBeNull();
  });

  it("keeps what an upload that broke midway shared with a complete dataset", async () => {
    const whole = await modules.ingest.ingestTelemetryText("whole.csv", WHOLE, "cli:test");
    async function* brokenUpload() {
      yield `${FIRST_HALF}\n2024-05-01T11:00:00Z,ws-1,ImageLoaded,rsaenh.dll,7,implant.exe,,,\n`;
      throw new Error("connection lost");
    }
    await expect(modules.ingest.ingestTelemetryStream("broken.csv", brokenUpload(), "api")).rejects.toThrow("connection lost");
    expect(await eventCount()).toBe(7);
    expect(await modules.db.prisma.eventShare.count()).toBe(0);
    expect(await modules.datasets.deleteDataset(whole.datasetId)).toEqual({ removed: 7, kept: 0, fileName: "whole.csv" });
  });
});

describe("a delete while an upload is writing", () => {
  it("waits for the upload's batch instead of failing with 'database is locked'", async () => {
    const older = await modules.ingest.ingestTelemetryText("first-half.csv", FIRST_HALF, "cli:test");
    await modules.ingest.ingestTelemetryText("whole.csv", WHOLE, "cli:test");
    // Another connection (as the upload writer thread is) holds the write lock for 300 ms.
    const { Worker } = await import("node:worker_threads");
    const lockHolder = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       const db = new (require("better-sqlite3"))(workerData);
       db.exec("BEGIN IMMEDIATE");
       db.prepare('UPDATE "Dataset" SET "rejected" = "rejected"').run();
       parentPort.postMessage("locked");
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       db.exec("COMMIT");`,
      { eval: true, workerData: process.env.DATABASE_URL!.slice("file:".length) },
    );
    await new Promise((resolve) => lockHolder.once("message", resolve));
    // Reads first (which events another dataset holds), then writes: it must wait for the lock, not fail.
    expect(await modules.datasets.deleteDataset(older.datasetId)).toEqual({ removed: 0, kept: 4, fileName: "first-half.csv" });
    await lockHolder.terminate();
  });
});

describe("the Prisma connection", () => {
  it("has the configuration every raw connection has: WAL, a 10 s busy timeout, synchronous NORMAL", async () => {
    const pragma = async (name: string) => Object.values((await modules.db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0])[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(Number(await pragma("busy_timeout"))).toBe(10_000);
    // 1 is NORMAL (better-sqlite3's default is 2, FULL).
    expect(Number(await pragma("synchronous"))).toBe(1);
  });
});
