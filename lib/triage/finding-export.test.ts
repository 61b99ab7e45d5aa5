import { describe, expect, it } from "vitest";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import { destinationSummary, storedDefaultFinding, type StoredDefaultFindingOverrides } from "../testing/stored-default-finding";
import { defaultFindingCsvRow, findingCsvHeader, findingsCsv, seedFindingCsvRow, type ExportedDefaultFinding, type ExportedSeedFinding } from "./finding-export";
import type { TriageSummary } from "./triage-state";

const NEW: TriageSummary = { status: "new", classification: null, reason: null, assignee: null, tags: [], reopened: null };

/** A default-mode finding as the API lists it: the shared stored finding with the given overrides, an id and its triage. */
function listedFinding(overrides: StoredDefaultFindingOverrides, triage: TriageSummary = NEW): ExportedDefaultFinding {
  return { id: "0123456789abcdef", ...storedDefaultFinding(overrides), triage, suppressedBy: [] };
}

const seedRow: SeedQueryRow = {
  DeviceName: "ws-02",
  ProcessName: "=cmd|' /C calc'!A0",
  ProcessCmd: "-enc AAAA",
  AccountName: "+bob",
  ProcessSHA256: "cd34",
  CryptoLibsLoaded: ["bcrypt.dll", "ncrypt.dll"],
  RemoteIPs: ["203.0.113.5", "198.51.100.7"],
  RemotePorts: [8443, 443],
  ConnectionCount: 12,
  TotalBytesSent: null,
  TotalBytesReceived: 2048,
  FirstConnection: "2024-05-01T10:00:00.000Z",
  LastConnection: "2024-05-01T10:11:00.000Z",
  DataTransferMB: null,
  DurationMinutes: 11,
  AvgIntervalSeconds: 60,
  BeaconLikely: true,
};

describe("findings CSV", () => {
  it("names the default mode's columns, triage last", () => {
    expect(findingsCsv([findingCsvHeader("default")])).toBe(
      "id,severity,confidence,device,process,pid,processCreationTime,rules,strongBeacon,beaconScore,connections,destinations,firstConnection,lastConnection,commandLine,account,sha256,status,classification,reason,assignee,tags\n",
    );
  });

  it("writes a default finding's row with its triage", () => {
    const triage: TriageSummary = { status: "resolved", classification: "true_positive", reason: "Implant", assignee: "alice", tags: ["c2", "lab"], reopened: null };
    const listed = listedFinding(
      {
        process: { processCreationTime: "2024-05-01T09:59:00.000Z" },
        rules: ["crypto-load-then-connect", "beacon-only"],
        connections: { destinations: [destinationSummary("203.0.113.5", 8443), destinationSummary("198.51.100.7", 443)] },
      },
      triage,
    );
    expect(findingsCsv([defaultFindingCsvRow(listed)])).toBe(
      "0123456789abcdef,high,medium,ws-01,beacon.exe,4242,2024-05-01T09:59:00.000Z," +
        '"Crypto DLL load, then outbound connection on a non-standard port; Strong beacon from a non-browser process (no DLL load needed)",' +
        "yes,0.912,120,203.0.113.5:8443 198.51.100.7:443,2024-05-01T10:00:00.000Z,2024-05-01T12:00:00.000Z,beacon.exe,alice,ab12," +
        'resolved,true_positive,Implant,alice,"c2, lab"\n',
    );
  });

  it("neutralises cells a spreadsheet would run as formulas, and quotes commas, quotes and line breaks", () => {
    const hostile = listedFinding(
      {
        process: { processName: '=HYPERLINK("http://evil")', deviceName: "+1", accountName: "-2", sha256: "@SUM(A1)", commandLine: 'a,b "q"\nc' },
        rules: [],
        connections: { destinations: [] },
      },
      { status: "resolved", classification: "false_positive", reason: "\tcalc", assignee: "\rroot", tags: [], reopened: null },
    );
    expect(findingsCsv([defaultFindingCsvRow(hostile)])).toBe(
      `0123456789abcdef,high,medium,'+1,"'=HYPERLINK(""http://evil"")",4242,,,yes,0.912,120,,2024-05-01T10:00:00.000Z,2024-05-01T12:00:00.000Z,` +
        `"a,b ""q""\nc",'-2,'@SUM(A1),resolved,false_positive,'\tcalc,"'\rroot",\n`,
    );
  });

  it("writes a seed query row: id, the query's columns (lists space-separated), then triage", () => {
    const row: ExportedSeedFinding = { id: "fedcba9876543210", ...seedRow, triage: { ...NEW, tags: ["c2"] }, suppressedBy: [] };
    expect(findingsCsv([findingCsvHeader("kql"), seedFindingCsvRow(row)])).toBe(
      "id,DeviceName,ProcessName,ProcessCmd,AccountName,ProcessSHA256,CryptoLibsLoaded,RemoteIPs,RemotePorts,ConnectionCount,TotalBytesSent," +
        "TotalBytesReceived,FirstConnection,LastConnection,DataTransferMB,DurationMinutes,AvgIntervalSeconds,BeaconLikely,status,classification,reason,assignee,tags\n" +
        "fedcba9876543210,ws-02,'=cmd|' /C calc'!A0,'-enc AAAA,'+bob,cd34,bcrypt.dll ncrypt.dll,203.0.113.5 198.51.100.7,8443 443,12,,2048," +
        "2024-05-01T10:00:00.000Z,2024-05-01T10:11:00.000Z,,11,60,yes,new,,,,c2\n",
    );
  });
});
