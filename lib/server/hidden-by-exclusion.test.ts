/**
 * Integration: excluding a process name hides its findings at once, with no detection rerun;
 * detection itself computes them (so removing the name brings them back, again without a rerun).
 * Real SQLite file, real ingest and detection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("hidden");

type Modules = {
  ingest: typeof import("./ingest-upload");
  detection: typeof import("./run-detection");
  findings: typeof import("./findings-store");
  allowlists: typeof import("./allowlist-store");
  settings: typeof import("./detection-settings");
  db: typeof import("./db");
};
let modules: Modules;

// One crypto load, then six connections a minute apart, from a process that is not excluded by default.
const CSV = [
  "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType",
  "2024-05-01T10:00:00Z,ws-1,ImageLoaded,bcrypt.dll,7,Implant.exe,,,",
  ...Array.from({ length: 6 }, (_, minute) => `2024-05-01T10:0${minute + 1}:00Z,ws-1,ConnectionSuccess,,7,Implant.exe,198.51.100.7,4444,Public`),
].join("\n");

beforeAll(async () => {
  modules = {
    ingest: await import("./ingest-upload"),
    detection: await import("./run-detection"),
    findings: await import("./findings-store"),
    allowlists: await import("./allowlist-store"),
    settings: await import("./detection-settings"),
    db: await import("./db"),
  };
}, 60_000);


describe("an excluded process name", () => {
  it("hides the process's findings in both modes at once, and only until it is removed", async () => {
    await modules.ingest.ingestTelemetryText("implant.csv", CSV, "cli:test");
    const run = await modules.detection.runDetection();
    const shown = () => [modules.findings.findingCount(run, "default"), modules.findings.findingCount(run, "kql")];
    expect(shown()).toEqual([1, 1]);

    const entry = await modules.allowlists.addAllowlistEntry("excludedSystemProcesses", "implant.EXE");
    expect(shown()).toEqual([0, 0]);
    // Nothing was recomputed: the same run, its rows still stored.
    expect((await modules.settings.readDetectionRun())?.runId).toBe(run.runId);
    expect(await modules.db.prisma.finding.count({ where: { runId: run.runId } })).toBe(2);

    await modules.allowlists.removeAllowlistEntry(entry.id);
    expect(shown()).toEqual([1, 1]);
  });

  it("hides a system binary's name in the default mode only on an image in that binary's folder", async () => {
    // svchost.exe is on the default excluded list: from System32 it is hidden, from C:\Users\Public it is a masquerade.
    const header = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,InitiatingProcessFolderPath,RemoteIP,RemotePort,RemoteIPType";
    const svchost = (device: string, folder: string) => [
      `2024-05-01T11:00:00Z,${device},ImageLoaded,bcrypt.dll,9,svchost.exe,${folder},,,`,
      `2024-05-01T11:01:00Z,${device},ConnectionSuccess,,9,svchost.exe,${folder},198.51.100.9,4444,Public`,
    ];
    const rows = [...svchost("ws-real", "C:\\Windows\\System32\\svchost.exe"), ...svchost("ws-fake", "C:\\Users\\Public\\svchost.exe")];
    await modules.ingest.ingestTelemetryText("svchost.csv", [header, ...rows].join("\n"), "cli:test");
    const run = await modules.detection.runDetection();
    const defaultFindings = [...modules.findings.allFindings("default", run)].flat();
    expect(defaultFindings.map((finding) => [finding.process.deviceName, finding.process.processName])).toEqual([
      ["ws-fake", "svchost.exe"],
      ["ws-1", "Implant.exe"],
    ]);
    // The seed mode hides the name wherever the image is, as the seed query does.
    expect([...modules.findings.allFindings("kql", run)].flat().map((row) => row.DeviceName)).toEqual(["ws-1"]);
    // Both were computed: only the one in System32 is hidden.
    expect(await modules.db.prisma.finding.count({ where: { runId: run.runId, processNameKey: "svchost.exe" } })).toBe(4);
  });
});
