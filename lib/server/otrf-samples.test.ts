/**
 * Integration on real captures: OTRF Security-Datasets' Metasploit and Empire Sysmon captures
 * (../shared/samples, read in place, never copied), uploaded through the real ingest path into a
 * real SQLite file and detected in lab mode (the labs' C2s are private addresses).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("otrf");

/** Beside the repository: CI and this machine provide it, and the captures are never copied in. */
const SAMPLES = path.resolve(import.meta.dirname, "../../../shared/samples");

let modules: DetectionModules;

/** The capture's one JSON-lines file, unzipped in memory. */
function capture(zip: string): string {
  if (!existsSync(path.join(SAMPLES, zip))) throw new Error(`${zip} is missing: this test reads OTRF's captures from ${SAMPLES}.`);
  return execFileSync("unzip", ["-p", path.join(SAMPLES, zip), "*.json"], { maxBuffer: 256 * 1024 * 1024 }).toString("utf8");
}

/** Stores only this capture (the lookback follows its newest event), runs detection, and answers its default findings. */
async function detectAlone(zip: string) {
  for (const dataset of await modules.datasets.listDatasets()) await modules.datasets.deleteDataset(dataset.id);
  await modules.ingest.ingestTelemetryText(zip.replace(".zip", ".json"), capture(zip), "cli:test");
  const run = await modules.detection.runDetection();
  return [...modules.findings.allFindings("default", run)].flat();
}

beforeAll(async () => {
  modules = await importDetectionModules();
  await modules.settings.writeDetectionSettings({ ...(await modules.settings.readDetectionSettings()), labMode: true });
}, 60_000);

describe("OTRF captures in lab mode", () => {
  it("flags the Metasploit payload, whose two connections Sysmon dated five days before its own creation, once they are placed by the collector's clock", async () => {
    const findings = await detectAlone("sysmon-otrf-metasploit-payload.zip");
    expect(findings.map((finding) => [finding.process.processName, finding.rules, finding.severity])).toEqual([["payload.exe", ["suspicious-image-load-then-connect"], "medium"]]);
    const [payload] = findings;
    expect(payload.reasons.map((reason) => reason.text)).toEqual([
      "Loaded bcryptprimitives.dll, bcrypt.dll, ncrypt.dll, rsaenh.dll, cryptsp.dll, then connected to 192.168.56.40:8443 1.960 s later, from an image with suspicious lineage or location; 2 connection(s) within 15 min of a load.",
      "Runs from a user-writable folder: payload.exe runs from C:\\Users\\IT01-Pedro\\Downloads\\payload.exe",
      "Clock: Sysmon dated 2 of its events before its own process was created (up to 143.6 h early); they are placed by the collector's time, less this host's offset for process creations.",
    ]);
    expect([payload.connections.count, payload.connections.firstConnection, payload.connections.lastConnection]).toEqual([2, "2022-08-08T20:39:26.9920000Z", "2022-08-08T20:39:27.2700000Z"]);
  }, 120_000);

  it("flags Empire's PowerShell beaconing to its listener every 5 s", async () => {
    const findings = await detectAlone("sysmon-otrf-empire-psinject.zip");
    expect(findings.map((finding) => [finding.process.processName, finding.rules, finding.severity, finding.beacon?.remoteIp, finding.beacon?.remotePort])).toEqual([
      ["powershell.exe", ["beacon-only"], "medium", "10.10.10.5", 80],
    ]);
  }, 120_000);
});
