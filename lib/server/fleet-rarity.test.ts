/**
 * Integration: fleet prevalence is counted as uploads are stored and rates findings when a run
 * ends. An upload to one device changes what is rare on the others: the incremental run
 * recomputes that device only, yet rates the others' findings again from the counts. Real
 * SQLite file, real ingest path.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("fleet-rarity");

let modules: DetectionModules;

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,InitiatingProcessSHA256,RemoteIP,RemotePort,RemoteIPType";
const COMMON_SHA = "c".repeat(64);
const IMPLANT_SHA = "a".repeat(64);
/** A crypto load at `hour`:00, then one connection a minute later: a lone correlation (low on its own). */
const loadThenConnect = (device: string, hour: number, program: string, sha256: string, address: string) => [
  `2024-05-01T${hour}:00:00Z,${device},ImageLoaded,bcrypt.dll,7,${program},${sha256},,,`,
  `2024-05-01T${hour}:01:00Z,${device},ConnectionSuccess,,7,${program},${sha256},${address},4444,Public`,
];
const FLEET = Array.from({ length: 10 }, (_, index) => `ws-${index + 1}`);

async function upload(name: string, rows: string[]): Promise<void> {
  await modules.ingest.ingestTelemetryText(name, [HEADER, ...rows].join("\n"), "cli:test");
}

/** Runs detection; answers how many devices it read and its default findings by device and program. */
async function run() {
  let devicesRead = -1;
  const detectionRun = await modules.detection.runDetection({ onProgress: (_done, total) => (devicesRead = total) });
  const stored = await modules.db.prisma.finding.findMany({ where: { runId: detectionRun.runId, mode: "default" }, select: { deviceName: true, processName: true, row: true, listRow: true } });
  const findings = Object.fromEntries(
    stored.map(({ deviceName, processName, row, listRow }) => {
      const { severity, severityBasis, prevalence } = JSON.parse(row);
      return [`${deviceName} ${processName}`, { severity, listed: JSON.parse(listRow).severity, severityBasis, prevalence }];
    }),
  );
  return { devicesRead, findings };
}

beforeAll(async () => {
  modules = await importDetectionModules();
  // Every device runs the same updater to the same address; only ws-1 runs the implant. The
  // newest event (12:01) is here, so later uploads of earlier events keep the as-of time.
  await upload("fleet.csv", [...FLEET.flatMap((device) => loadThenConnect(device, 12, "updater.exe", COMMON_SHA, "203.0.113.1")), ...loadThenConnect("ws-1", 10, "implant.exe", IMPLANT_SHA, "198.51.100.7")]);
}, 60_000);

describe("fleet rarity", () => {
  it("raises a binary and destination seen on one device of ten, and marks software every device runs as common", async () => {
    const { findings } = await run();
    expect(findings["ws-1 implant.exe"]).toEqual({
      severity: "medium",
      listed: "medium",
      severityBasis: ["Crypto DLL load then connection alone: low", "Rare binary seen on 1 of 10 devices and destination 198.51.100.7 seen on 1 of 10 devices: one level up, medium"],
      prevalence: { binaryDevices: 1, destinationIp: "198.51.100.7", destinationDevices: 1, fleetDevices: 10 },
    });
    expect(findings["ws-3 updater.exe"]).toEqual({
      severity: "low",
      listed: "low",
      severityBasis: ["Crypto DLL load then connection alone: low", "Common binary and destination: seen on 10 of 10 devices, 203.0.113.1 seen on 10 of 10 devices: one level down, low"],
      prevalence: { binaryDevices: 10, destinationIp: "203.0.113.1", destinationDevices: 10, fleetDevices: 10 },
    });
  });

  it("rates another device's finding again when an upload to one device makes its binary no longer rare, without reading that device", async () => {
    await upload("ws-2-implant.csv", loadThenConnect("ws-2", 10, "implant.exe", IMPLANT_SHA, "198.51.100.7"));
    const incremental = await run();
    expect(incremental.devicesRead).toBe(1);
    const ordinary = {
      severity: "low",
      listed: "low",
      severityBasis: ["Crypto DLL load then connection alone: low"],
      prevalence: { binaryDevices: 2, destinationIp: "198.51.100.7", destinationDevices: 2, fleetDevices: 10 },
    };
    expect([incremental.findings["ws-1 implant.exe"], incremental.findings["ws-2 implant.exe"]]).toEqual([ordinary, ordinary]);

    // A full run computes the same.
    await modules.settings.bumpRequestedGeneration("everything");
    const full = await run();
    expect(full.devicesRead).toBe(10);
    expect(full.findings).toEqual(incremental.findings);
  });

  it("rates a finding by the rarest address it called: common software reaching a C2 beside its usual endpoint is raised, not demoted", async () => {
    await upload("ws-4-c2.csv", [
      `2024-05-01T11:00:00Z,ws-4,ImageLoaded,bcrypt.dll,7,updater.exe,${COMMON_SHA},,,`,
      `2024-05-01T11:01:00Z,ws-4,ConnectionSuccess,,7,updater.exe,${COMMON_SHA},203.0.113.1,4444,Public`,
      `2024-05-01T11:02:00Z,ws-4,ConnectionSuccess,,7,updater.exe,${COMMON_SHA},198.51.100.99,4444,Public`,
    ]);
    const { findings } = await run();
    expect(findings["ws-4 updater.exe"]).toEqual({
      severity: "medium",
      listed: "medium",
      severityBasis: ["Crypto DLL load then connection alone: low", "Rare destination 198.51.100.99 seen on 1 of 10 devices: one level up, medium"],
      prevalence: { binaryDevices: 10, destinationIp: "198.51.100.99", destinationDevices: 1, fleetDevices: 10 },
    });
    const added = (await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "ws-4-c2.csv")!;
    await modules.datasets.deleteDataset(added.id);
  });

  it("counts a deleted upload's devices no more", async () => {
    const added = (await modules.datasets.listDatasets()).find((dataset) => dataset.fileName === "ws-2-implant.csv")!;
    await modules.datasets.deleteDataset(added.id);
    const { findings } = await run();
    expect(findings["ws-1 implant.exe"].severity).toBe("medium");
    expect(findings["ws-2 implant.exe"]).toBeUndefined();
  });
});
