import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FleetPrevalence } from "./fleet-prevalence";
import { rateSeverity, SEVERITY_EVIDENCE_TABLE, type SeverityEvidence } from "./severity-model";

const evidence = (overrides: Partial<SeverityEvidence>): SeverityEvidence => ({ rules: [], strongBeacon: false, commandLineIndicators: 0, lineageFlags: 0, prevalence: null, ...overrides });
const fleet = (binaryDevices: number, destinationDevices: number | null, fleetDevices = 240): FleetPrevalence => ({
  binaryDevices,
  destinationIp: destinationDevices === null ? null : "203.0.113.7",
  destinationDevices,
  fleetDevices,
});
const strongBeacon = { rules: ["beacon-only"] as const, strongBeacon: true };

describe("rateSeverity", () => {
  it("keeps a lone crypto load then connection low when the fleet says nothing", () => {
    expect(rateSeverity(evidence({ rules: ["crypto-load-then-connect"], prevalence: fleet(30, 30) }))).toEqual({
      severity: "low",
      confidence: "low",
      severityBasis: ["Crypto DLL load then connection alone: low"],
    });
  });

  it("rates a strong beacon from a binary seen on one device high, and critical when command-line indicators agree", () => {
    expect(rateSeverity(evidence({ ...strongBeacon, rules: [...strongBeacon.rules], prevalence: fleet(1, 30) }))).toEqual({
      severity: "high",
      confidence: "medium",
      severityBasis: ["Strong beacon: medium", "Rare binary seen on 1 of 240 devices: one level up, high"],
    });
    expect(rateSeverity(evidence({ ...strongBeacon, rules: [...strongBeacon.rules], commandLineIndicators: 2, prevalence: fleet(1, 30) }))).toEqual({
      severity: "critical",
      confidence: "high",
      severityBasis: ["Strong beacon: medium", "Suspicious command line: one level up, high", "Rare binary seen on 1 of 240 devices: one level up, critical"],
    });
  });

  it("raises once for a rare binary and a rare destination together, naming both", () => {
    expect(rateSeverity(evidence({ ...strongBeacon, rules: [...strongBeacon.rules], prevalence: fleet(1, 1) })).severityBasis).toEqual([
      "Strong beacon: medium",
      "Rare binary seen on 1 of 240 devices and destination 203.0.113.7 seen on 1 of 240 devices: one level up, high",
    ]);
  });

  it("demotes software on half the fleet or more talking where half the fleet talks, never one reaching a destination few devices call", () => {
    expect(rateSeverity(evidence({ ...strongBeacon, rules: [...strongBeacon.rules], prevalence: fleet(200, 180) }))).toEqual({
      severity: "low",
      confidence: "low",
      severityBasis: ["Strong beacon: medium", "Common binary and destination: seen on 200 of 240 devices, 203.0.113.7 seen on 180 of 240 devices: one level down, low"],
    });
    // powershell.exe beaconing to a C2 five devices call: not demoted.
    expect(rateSeverity(evidence({ ...strongBeacon, rules: [...strongBeacon.rules], prevalence: fleet(200, 5) })).severityBasis).toEqual(["Strong beacon: medium"]);
    expect(rateSeverity(evidence({ ...strongBeacon, rules: [...strongBeacon.rules], prevalence: fleet(200, 1) })).severityBasis).toEqual([
      "Strong beacon: medium",
      "Rare destination 203.0.113.7 seen on 1 of 240 devices: one level up, high",
    ]);
  });

  it("rates the suspicious-image correlation as the correlation: with a strong beacon, high before its lineage adds a level", () => {
    expect(rateSeverity(evidence({ rules: ["suspicious-image-load-then-connect", "beacon-only"], strongBeacon: true, lineageFlags: 1 })).severityBasis).toEqual([
      "Crypto DLL load then connection from a suspicious image, with a strong beacon: high",
      "Suspicious lineage or location: one level up, critical",
    ]);
  });

  it("never goes below low or above critical", () => {
    expect(rateSeverity(evidence({ rules: ["crypto-load-then-connect"], prevalence: fleet(240, 240) })).severityBasis).toEqual([
      "Crypto DLL load then connection alone: low",
      "Common binary and destination: seen on 240 of 240 devices, 203.0.113.7 seen on 240 of 240 devices: one level down, low",
    ]);
    expect(rateSeverity(evidence({ rules: ["openssl-then-network"], lineageFlags: 1, prevalence: fleet(1, null) })).severity).toBe("critical");
    expect(rateSeverity(evidence({ rules: ["crypto-load-then-connect", "beacon-only"], strongBeacon: true, lineageFlags: 1, commandLineIndicators: 1, prevalence: fleet(1, 1) }))).toEqual({
      severity: "critical",
      confidence: "high",
      severityBasis: [
        "Crypto DLL load then connection, with a strong beacon: high",
        "Suspicious lineage or location and command line: one level up, critical",
        "Rare binary seen on 1 of 240 devices and destination 203.0.113.7 seen on 1 of 240 devices: one level up, critical",
      ],
    });
  });

  it("ignores rarity in a fleet of fewer than ten devices (a lab capture)", () => {
    expect(rateSeverity(evidence({ ...strongBeacon, rules: [...strongBeacon.rules], prevalence: fleet(1, 1, 9) })).severityBasis).toEqual(["Strong beacon: medium"]);
  });
});

describe("SEVERITY_EVIDENCE_TABLE", () => {
  it("is the README's evidence table, row for row", () => {
    const readme = readFileSync(path.resolve("README.md"), "utf8");
    const lines = readme.slice(readme.indexOf("| evidence | alone | with the others |")).split("\n").slice(2);
    const rows = lines.slice(0, lines.findIndex((line) => !line.startsWith("|")));
    expect(rows.map((line) => line.slice(1, -1).split("|").map((cell) => cell.trim()))).toEqual(SEVERITY_EVIDENCE_TABLE.map(({ evidence, alone, withOthers }) => [evidence, alone, withOthers]));
  });
});
