/**
 * Integration: uploads through the real ingest path into a throwaway SQLite file via Prisma and
 * better-sqlite3. Checks idempotency, all-or-nothing batches and dataset status.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useThrowawayDatabase } from "../testing/throwaway-database";
import { buildTestEvent } from "../telemetry/build-test-event";

useThrowawayDatabase("ingest");

type Modules = {
  ingest: typeof import("./ingest-upload");
  writer: typeof import("./event-batch-writer");
  datasets: typeof import("./dataset-store");
  db: typeof import("./db");
};
let modules: Modules;

const CSV = [
  "Timestamp,DeviceId,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName",
  "2024-01-01T10:00:00Z,d1,ws-01,ImageLoaded,bcrypt.dll,100,evil.exe",
  "2024-01-01T10:00:01Z,d1,ws-01,ImageLoaded,ncrypt.dll,100,evil.exe",
  "2024-01-01T11:00:00Z,d2,ws-02,ImageLoaded,bcrypt.dll,200,tool.exe",
].join("\n");

beforeAll(async () => {
  modules = {
    ingest: await import("./ingest-upload"),
    writer: await import("./event-batch-writer"),
    datasets: await import("./dataset-store"),
    db: await import("./db"),
  };
}, 60_000);


describe("ingestTelemetryText", () => {
  it("stores a file once: the same upload again adds nothing and counts the duplicates", async () => {
    const first = await modules.ingest.ingestTelemetryText("loads.csv", CSV, "api");
    expect([first.accepted, first.duplicates, first.rejected]).toEqual([3, 0, 0]);
    const again = await modules.ingest.ingestTelemetryText("loads-again.csv", CSV, "web");
    expect([again.accepted, again.duplicates]).toEqual([0, 3]);
    // An overlapping export: one old row, one new.
    const overlap = await modules.ingest.ingestTelemetryText("overlap.csv", `${CSV.split("\n")[0]}\n${CSV.split("\n")[1]}\n2024-01-01T12:00:00Z,d1,ws-01,ImageLoaded,rsaenh.dll,100,evil.exe`, "api");
    expect([overlap.accepted, overlap.duplicates]).toEqual([1, 1]);
    expect(await modules.db.prisma.telemetryEvent.count()).toBe(4);

    const [latest, , oldest] = await modules.datasets.listDatasets();
    expect(oldest).toMatchObject({
      fileName: "loads.csv",
      status: "complete",
      accepted: 3,
      devices: 2,
      uploadedBy: "api",
      timeFrom: "2024-01-01T10:00:00.0000000Z",
      timeTo: "2024-01-01T11:00:00.0000000Z",
      tables: ["DeviceImageLoadEvents"],
    });
    expect(latest).toMatchObject({ fileName: "overlap.csv", accepted: 1, duplicates: 1 });
  });

  it("writes a batch all or nothing: a row the database refuses rolls back the whole batch", async () => {
    const dataset = await modules.db.prisma.dataset.create({ data: { fileName: "broken.csv", format: "csv", tables: "" } });
    const good = buildTestEvent("image_load", { at: "2024-02-01T00:00:00Z", fileName: "a.dll", initiatingProcessId: 1 });
    const refused = { ...good, timestamp: "2024-02-01T00:00:01Z", deviceName: null as unknown as string };
    const writer = new modules.writer.DatasetEventWriter(dataset.id);
    writer.write([good, { ...good, timestamp: "2024-02-01T00:00:00.5Z" }, refused]);
    await expect(writer.finish()).rejects.toThrow(/NOT NULL/);
    expect(await modules.db.prisma.telemetryEvent.count({ where: { datasetId: dataset.id } })).toBe(0);
  });

  it("removes what a stream stored before it broke, and marks the dataset failed", async () => {
    const before = await modules.db.prisma.telemetryEvent.count();
    async function* brokenUpload() {
      yield "Timestamp,DeviceId,DeviceName,ActionType,FileName,InitiatingProcessId\n";
      // More rows than one batch (5,000), so a batch is committed before the connection drops.
      for (let i = 0; i < 6000; i++) yield `2024-03-01T00:00:${String(i % 60).padStart(2, "0")}.${String(i).padStart(4, "0")}Z,d9,ws-9,ImageLoaded,x${i}.dll,${i}\n`;
      throw new Error("connection lost");
    }
    const upload = modules.ingest.ingestTelemetryStream("broken.csv", brokenUpload(), "api");
    await expect(upload).rejects.toThrow("connection lost");
    expect(await modules.db.prisma.telemetryEvent.count()).toBe(before);
    const broken = (await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "broken.csv");
    expect(broken?.status).toBe("failed");
  });

  it("reports progress while a long upload runs: the dataset is running with the rows stored so far", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reachedGate!: () => void;
    const atGate = new Promise<void>((resolve) => (reachedGate = resolve));
    async function* slowUpload() {
      yield "Timestamp,DeviceId,DeviceName,ActionType,FileName,InitiatingProcessId\n";
      for (let i = 0; i < 6000; i++) yield `2024-05-01T00:00:00.${String(i).padStart(4, "0")}Z,d8,ws-8,ImageLoaded,p${i}.dll,${i}\n`;
      reachedGate();
      await gate;
    }
    const uploadId = "slow-upload-0000000001";
    expect(await modules.datasets.uploadProgress(uploadId)).toBeNull();
    const upload = modules.ingest.ingestTelemetryStream("slow.csv", slowUpload(), "api", { uploadId });
    await atGate;
    // One batch of 5,000 is on its way to the writer thread; the last 1,000 wait for the end of the stream.
    await vi.waitFor(async () => {
      expect((await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "slow.csv")).toMatchObject({ status: "running", accepted: 5000 });
    }, { timeout: 10_000, interval: 20 });
    // The uploading client follows the same count by the id it chose.
    const { datasetId } = (await modules.datasets.uploadProgress(uploadId))!;
    expect(await modules.datasets.uploadProgress(uploadId)).toEqual({ datasetId, status: "running", stored: 5000 });
    // An id names one upload only.
    await expect(modules.ingest.ingestTelemetryStream("again.csv", ["x"], "api", { uploadId })).rejects.toThrow(/already names another upload/);
    release();
    expect((await upload).accepted).toBe(6000);
    expect((await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "slow.csv")).toMatchObject({ status: "complete", accepted: 6000 });
    expect(await modules.datasets.uploadProgress(uploadId)).toEqual({ datasetId, status: "complete", stored: 6000 });
    await modules.datasets.deleteDataset((await upload).datasetId);
  });

  it("leaves no dataset behind for a file it refuses", async () => {
    await expect(modules.ingest.ingestTelemetryText("notes.csv", "name,age\nbob,3\n", "api")).rejects.toThrow(/not a Defender/);
    expect((await modules.datasets.listDatasets()).some((dataset) => dataset.fileName === "notes.csv")).toBe(false);
  });

  it("cleans up a dataset cut off by a server restart: its events go and it reads as failed", async () => {
    const killed = await modules.db.prisma.dataset.create({ data: { fileName: "killed-midway.csv", format: "csv", tables: "", status: "running", createdAt: new Date("2020-01-01T00:00:00Z") } });
    const orphan = buildTestEvent("image_load", { at: "2024-04-01T00:00:00Z", fileName: "orphan.dll", initiatingProcessId: 1 });
    const writer = new modules.writer.DatasetEventWriter(killed.id);
    writer.write([orphan]);
    expect(await writer.finish()).toBe(1);
    const listed = (await modules.datasets.listDatasets()).find((dataset) => dataset.id === killed.id);
    expect(listed?.status).toBe("failed");
    expect(await modules.db.prisma.telemetryEvent.count({ where: { datasetId: killed.id } })).toBe(0);
  });

  it("tells a cut-off upload from one another live process is storing, by the process that owns it", async () => {
    const { execFileSync } = await import("node:child_process");
    const gonePid = Number(execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }));
    const running = (fileName: string, ownerPid: number) => modules.db.prisma.dataset.create({ data: { fileName, format: "csv", tables: "", status: "running", ownerPid } });
    await running("owner-gone.csv", gonePid);
    // This process's own, no longer being stored (its clean-up failed): cut off too.
    await running("owner-here-abandoned.csv", process.pid);
    // Another live process's (the server's, beside a CLI): left alone.
    await running("owner-alive-elsewhere.csv", process.ppid);
    const statuses = Object.fromEntries((await modules.datasets.listDatasets()).filter((dataset) => dataset.fileName.startsWith("owner-")).map((dataset) => [dataset.fileName, dataset.status]));
    expect(statuses).toEqual({ "owner-gone.csv": "failed", "owner-here-abandoned.csv": "failed", "owner-alive-elsewhere.csv": "running" });
    await modules.db.prisma.dataset.deleteMany({ where: { fileName: { startsWith: "owner-" } } });
  });

  it("shows a dataset cut off before this server started as failed", async () => {
    await modules.db.prisma.dataset.create({ data: { fileName: "killed.csv", format: "csv", tables: "", status: "running", createdAt: new Date("2020-01-01T00:00:00Z") } });
    const killed = (await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "killed.csv");
    expect(killed?.status).toBe("failed");
  });

  it("deletes a dataset with its events", async () => {
    const target = (await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "overlap.csv")!;
    // overlap.csv stored one new event and shared one that loads.csv holds: only the new one goes.
    expect(await modules.datasets.datasetDeletionImpact(target.id)).toEqual({ removed: 1, kept: 0 });
    expect(await modules.datasets.deleteDataset(target.id)).toEqual({ removed: 1, kept: 0, fileName: "overlap.csv" });
    expect(await modules.db.prisma.telemetryEvent.count()).toBe(3);
    expect(await modules.datasets.deleteDataset(target.id)).toBeNull();
  });

  it("skips and reports a device with more events than detection may hold, and analyses the others", async () => {
    const { runDetection } = await import("./run-detection");
    const header = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";
    const rows = [
      "2024-05-01T10:00:00Z,budget-busy,ImageLoaded,bcrypt.dll,7,busy.exe,,,",
      ...Array.from({ length: 120 }, (_, second) => `2024-05-01T10:01:${String(second % 60).padStart(2, "0")}.${second}Z,budget-busy,ConnectionSuccess,,7,busy.exe,198.51.100.7,4444,Public`),
      "2024-05-01T10:00:00Z,budget-quiet,ImageLoaded,bcrypt.dll,8,quiet.exe,,,",
      "2024-05-01T10:01:00Z,budget-quiet,ConnectionSuccess,,8,quiet.exe,198.51.100.8,4444,Public",
    ];
    await modules.ingest.ingestTelemetryText("budget.csv", [header, ...rows].join("\n"), "api");
    const run = await runDetection({ maxEventsPerDevice: 100 });
    expect(run.skippedDevices.filter((device) => device.deviceName.startsWith("budget-"))).toEqual([{ deviceName: "budget-busy", events: 121 }]);
    const { allFindings } = await import("./findings-store");
    const seedRows = [];
    for (const slice of allFindings("kql", run)) seedRows.push(...slice);
    expect(seedRows.map((row) => row.DeviceName)).toEqual(["budget-quiet"]);
  });

  it("skips a device whose long command lines would not fit, though it has few events", async () => {
    const { runDetection } = await import("./run-detection");
    const header = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,InitiatingProcessCommandLine,RemoteIP,RemotePort,RemoteIPType";
    // A crypto load (it makes wordy.exe a candidate) and two connections, with two distinct 100,000-character
    // command lines: 3 x 900 + 2 x 2 x 100,000 bytes, more than 300 events' 270,000.
    const wordy = (at: string, letter: string) => `${at},wordy-01,ConnectionSuccess,,9,wordy.exe,${letter.repeat(100_000)},198.51.100.9,4444,Public`;
    const rows = [
      `2024-05-01T10:00:30Z,wordy-01,ImageLoaded,bcrypt.dll,9,wordy.exe,${"a".repeat(100_000)},,,`,
      wordy("2024-05-01T10:01:00Z", "a"),
      wordy("2024-05-01T10:02:00Z", "b"),
      "2024-05-01T10:00:00Z,terse-01,ImageLoaded,bcrypt.dll,8,terse.exe,,,,",
    ];
    await modules.ingest.ingestTelemetryText("wordy.csv", [header, ...rows].join("\n"), "api");
    const run = await runDetection({ maxEventsPerDevice: 300 });
    expect(run.skippedDevices.filter((device) => /^(wordy|terse)-/.test(device.deviceName))).toEqual([{ deviceName: "wordy-01", events: 3 }]);
    // Within the budget the same device is read.
    expect((await runDetection({ maxEventsPerDevice: 500 })).skippedDevices.filter((device) => device.deviceName === "wordy-01")).toEqual([]);
  });

  it("drops a run that finishes after a run reflecting more changes, instead of rolling the findings back", async () => {
    const { runDetection } = await import("./run-detection");
    const settings = await import("./detection-settings");
    const current = await runDetection();
    // Another process's run, which saw two more changes, became current while this one ran.
    const newer = { ...current, runId: "newer-run", generation: (await settings.readRequestedGeneration()) + 2 };
    await settings.writeDetectionRun(newer);
    expect(await runDetection()).toEqual(newer);
    expect(await settings.readDetectionRun()).toEqual(newer);
    // The stale run left nothing behind: no rows and no marker.
    const runIds = await modules.db.prisma.finding.findMany({ distinct: ["runId"], select: { runId: true } });
    expect(runIds.map((finding) => finding.runId)).toEqual([current.runId]);
    expect(await modules.db.prisma.setting.count({ where: { key: { startsWith: "detection.running." } } })).toBe(0);
    await settings.writeDetectionRun(current);
  });

  it("keeps the rows of a run another process has in progress, and removes those of runs that died", async () => {
    const { runDetection } = await import("./run-detection");
    const { storeFindings } = await import("./findings-store");
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();
    const row = (runId: string) => ({
      id: "00000000000000ee", runId, mode: "kql" as const, deviceName: "elsewhere", processName: "x.exe", beaconLikely: false, connectionCount: 1, outsideSystemFolder: false,
      listRow: "{}", searchText: "", row: "{}", evidence: "{}", binaryKey: "", destinationKeys: "[]", ratedPrevalence: null,
    });
    storeFindings([row("run-in-progress"), row("run-died-7h-ago"), row("run-without-marker")]);
    await modules.db.prisma.setting.createMany({
      data: [
        { key: "detection.running.run-in-progress", value: hoursAgo(1) },
        { key: "detection.running.run-died-7h-ago", value: hoursAgo(7) },
      ],
    });
    const run = await runDetection();
    const runIds = await modules.db.prisma.finding.findMany({ distinct: ["runId"], select: { runId: true }, orderBy: { runId: "asc" } });
    expect(runIds.map((finding) => finding.runId).sort()).toEqual([run.runId, "run-in-progress"].sort());
    const markers = await modules.db.prisma.setting.findMany({ where: { key: { startsWith: "detection.running." } } });
    expect(markers.map((marker) => marker.key)).toEqual(["detection.running.run-in-progress"]);
  });

  it("stores every field of an event and reads it back unchanged (row, shared process context, text and numbers)", async () => {
    const dataset = await modules.db.prisma.dataset.create({ data: { fileName: "whole.csv", format: "csv", tables: "", status: "complete" } });
    const context = {
      initiatingProcessFileName: "Ünïcode.exe", initiatingProcessFolderPath: "C:\\Tools\\Ünïcode.exe", initiatingProcessId: 4242,
      initiatingProcessCommandLine: 'Ünïcode.exe -c "<script>alert(1)</script>"', initiatingProcessCreationTime: "2024-06-01T09:59:00.0000000Z",
      initiatingProcessAccountName: "alice", initiatingProcessSHA256: "ab".repeat(32), initiatingProcessParentFileName: "explorer.exe",
      initiatingProcessParentId: 1000, initiatingProcessGuid: "{0000-1111}",
    };
    const connection = buildTestEvent("network", {
      at: "2024-06-01T10:00:00.1234567Z", deviceId: "dev-whole", deviceName: "whole-01", remoteIp: "2001:db8::7", remotePort: 8443, remoteIpType: "Public",
      remoteUrl: "c2.example", localIp: "10.0.0.5", localPort: 50123, protocol: "Tcp", sentBytes: 1234.5, receivedBytes: 0, reportId: "77",
      loggedAt: "2024-06-01T10:00:01.0000000Z", source: "sysmon", ...context,
    });
    const creation = buildTestEvent("process", {
      at: "2024-06-01T10:00:02Z", deviceName: "whole-01", fileName: "cmd.exe", folderPath: "C:\\Windows\\cmd.exe", processId: 5151,
      processCommandLine: "cmd /c whoami", processCreationTime: "2024-06-01T10:00:02.0000000Z", accountName: "alice", sha256: "cd".repeat(32),
      processGuid: "{2222-3333}", ...context,
    });
    const writer = new modules.writer.DatasetEventWriter(dataset.id);
    writer.write([connection, creation]);
    expect(await writer.finish()).toBe(2);
    const { eventsByIds } = await import("./event-store");
    const ids = (await modules.db.prisma.telemetryEvent.findMany({ where: { deviceName: "whole-01" }, select: { id: true } })).map((event) => event.id);
    expect(eventsByIds(ids).map(({ id: _id, datasetId: _dataset, datasetFileName: _file, ...event }) => event)).toEqual([connection, creation]);
  });
});
