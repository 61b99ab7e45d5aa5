/**
 * Integration: a run after changes that touched only some devices recomputes those devices and
 * keeps the current run's findings of the others; its findings are exactly a full run's. A change
 * to what every device is computed from (settings, an as-of that moves) recomputes every device.
 * Real SQLite file, real ingest path.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("incremental");

let modules: DetectionModules;

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
/** A crypto load at `hour`:00, then `connections` connections a minute apart. */
const implant = (device: string, hour: number, connections: number) => [
  `2024-05-01T${hour}:00:00Z,${device},ImageLoaded,bcrypt.dll,7,implant.exe,,,`,
  ...Array.from({ length: connections }, (_, minute) => `2024-05-01T${hour}:${String(minute + 1).padStart(2, "0")}:00Z,${device},ConnectionSuccess,,7,implant.exe,198.51.100.7,4444,Public`),
];
const csv = (rows: string[]) => [HEADER, ...rows].join("\n");

/** Ingests a file (which records the change for the devices it touched); answers the devices recorded. */
async function upload(name: string, rows: string[]): Promise<string[]> {
  await modules.ingest.ingestTelemetryText(name, csv(rows), "cli:test");
  return recordedDevices();
}

/** The devices of the newest recorded change (null: everything). */
async function recordedDevices(): Promise<string[]> {
  const [change] = await modules.db.prisma.detectionChange.findMany({ orderBy: { generation: "desc" }, take: 1 });
  return JSON.parse(change.devices ?? "null");
}

/** Runs detection; answers the run, the devices it read, and its findings as stored (ids, rows and ranks). */
async function run() {
  let devicesRead = -1;
  const detectionRun = await modules.detection.runDetection({ onProgress: (_done, total) => (devicesRead = total) });
  const findings = await modules.db.prisma.finding.findMany({
    where: { runId: detectionRun.runId },
    select: { id: true, mode: true, deviceName: true, connectionCount: true, rank: true, listRow: true, row: true, evidence: true },
    orderBy: [{ mode: "asc" }, { rank: "asc" }],
  });
  return { detectionRun, devicesRead, findings };
}

const connectionsByDevice = (findings: { mode: string; deviceName: string; connectionCount: number }[]) =>
  Object.fromEntries(findings.filter((finding) => finding.mode === "default").map((finding) => [finding.deviceName, finding.connectionCount]));

beforeAll(async () => {
  modules = await importDetectionModules();
  // ws-b holds the newest event (12:06): the as-of stays put while ws-a gains earlier events.
  await upload("first.csv", [...implant("ws-a", 10, 6), ...implant("ws-b", 12, 6)]);
}, 60_000);


describe("incremental detection", () => {
  it("computes every device on the first run", async () => {
    const first = await run();
    expect(first.devicesRead).toBe(2);
    expect(connectionsByDevice(first.findings)).toEqual({ "ws-a": 6, "ws-b": 6 });
  });

  it("recomputes only the devices an upload touched, and finds what a full run finds", async () => {
    const before = await run();
    expect(await upload("more-a.csv", implant("ws-a", 11, 4).slice(1))).toEqual(["ws-a"]);
    const incremental = await run();
    expect(incremental.devicesRead).toBe(1);
    expect(connectionsByDevice(incremental.findings)).toEqual({ "ws-a": 10, "ws-b": 6 });
    // ws-b's findings are the previous run's, carried over unchanged.
    const ofDevice = (findings: typeof before.findings, device: string) => findings.filter((finding) => finding.deviceName === device);
    expect(ofDevice(incremental.findings, "ws-b")).toEqual(ofDevice(before.findings, "ws-b"));
    expect([incremental.detectionRun.findings, incremental.detectionRun.seedFindings]).toEqual([2, 2]);

    // A settings change (the same values) recomputes everything, and finds exactly the same.
    await modules.settings.bumpRequestedGeneration("everything");
    const full = await run();
    expect(full.devicesRead).toBe(2);
    expect(full.findings).toEqual(incremental.findings);
  });

  it("recomputes a deleted dataset's devices only", async () => {
    const more = (await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "more-a.csv")!;
    expect(await modules.datasets.deleteDataset(more.id)).toEqual({ removed: 4, kept: 0, fileName: "more-a.csv" });
    expect(await recordedDevices()).toEqual(["ws-a"]);
    const after = await run();
    expect(after.devicesRead).toBe(1);
    expect(connectionsByDevice(after.findings)).toEqual({ "ws-a": 6, "ws-b": 6 });
  });

  it("records no change for a file that was refused (its events never fed detection)", async () => {
    const changes = () => modules.db.prisma.detectionChange.count();
    const before = await changes();
    await expect(modules.ingest.ingestTelemetryText("notes.csv", "name,age\nbob,3\n", "cli:test")).rejects.toThrow("not a Defender Advanced Hunting export");
    expect(await changes()).toBe(before);
  });

  it("recomputes every device when an upload moves the as-of time (every lookback window moves)", async () => {
    await upload("later-a.csv", implant("ws-a", 13, 2).slice(1));
    const moved = await run();
    expect(moved.devicesRead).toBe(2);
    expect(moved.detectionRun.asOf).toBe("2024-05-01T13:02:00.0000000Z");
  });
});
