/**
 * Integration: the series round trip (issue 14). Raw Defender rows of one process, and the CSV
 * the hunting query (`/api/export/kql?variant=series`) gives for them in Kusto, written by hand in
 * the shape Kusto writes. Uploaded in turn, each is recognised, scored and triaged alike: the
 * series carries what the finding needs, without the raw events.
 * Real SQLite file, real ingest and detection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { findingListQuery } from "../detection/finding-list";
import { SERIES_COLUMNS } from "../export/tuned-kql";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("kusto-series");

let modules: DetectionModules;
let triage: typeof import("./triage-store");

beforeAll(async () => {
  modules = await importDetectionModules();
  triage = await import("./triage-store");
}, 60_000);

const SHA = "ab".repeat(32);
const PROCESS = { pid: 4242, created: "2026-11-20T09:59:00.1234567Z", name: "updater.exe", folder: "C:\\Users\\bob\\AppData\\Local\\Temp\\updater.exe", cmd: "updater.exe -q", account: "bob" };
/** Eight connections a minute apart, give or take a second: a beacon. */
const CONNECTION_TIMES = ["10:00:00", "10:01:01", "10:02:00", "10:03:00", "10:04:01", "10:05:00", "10:06:00", "10:07:01"].map((time) => `2026-11-20T${time}.0000000Z`);
const LOAD_TIME = "2026-11-20T09:59:30.0000000Z";

const RAW_HEADER =
  "Timestamp,DeviceId,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessCreationTime,InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessCommandLine,InitiatingProcessAccountName,InitiatingProcessSHA256,RemoteIP,RemotePort,RemoteIPType,RemoteUrl";
const processCells = `${PROCESS.pid},${PROCESS.created},${PROCESS.name},${PROCESS.folder},${PROCESS.cmd},${PROCESS.account},${SHA}`;
const RAW_CSV = [
  RAW_HEADER,
  `${LOAD_TIME},d7,ws-7,ImageLoaded,bcrypt.dll,${processCells},,,,`,
  ...CONNECTION_TIMES.map((time, index) => `${time},d7,ws-7,ConnectionSuccess,,${processCells},185.225.17.44,4444,Public,${index === 0 ? "c2.example.net" : ""}`),
].join("\r\n");

/** What Kusto writes for the series query over those rows: quoted JSON arrays in the dynamic columns. */
const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const SERIES_CSV = [
  SERIES_COLUMNS.join(","),
  [
    "ws-7",
    "d7",
    String(PROCESS.pid),
    PROCESS.created,
    PROCESS.name,
    PROCESS.folder,
    PROCESS.cmd,
    PROCESS.account,
    SHA,
    "185.225.17.44",
    JSON.stringify(["c2.example.net"]),
    String(CONNECTION_TIMES.length),
    CONNECTION_TIMES[0],
    CONNECTION_TIMES.at(-1)!,
    JSON.stringify(CONNECTION_TIMES),
    JSON.stringify(CONNECTION_TIMES.map(() => 4444)),
    JSON.stringify(CONNECTION_TIMES.map((_, index) => (index === 0 ? "c2.example.net" : ""))),
    JSON.stringify([LOAD_TIME]),
    JSON.stringify(["bcrypt.dll"]),
  ]
    .map(csvCell)
    .join(","),
].join("\r\n");

const analyst = { label: "alice", address: "192.0.2.10" };

async function findingsNow() {
  const run = await modules.settings.readDetectionRun();
  const query = findingListQuery("default", { severityRank: "all", status: "all" }, null);
  return [...modules.findings.allFindings("default", run, query)].flat();
}

/** A finding without what points at stored rows (evidence event ids), which differ between uploads by design. */
function comparable(finding: object): unknown {
  return JSON.parse(JSON.stringify(finding, (key, value) => (key === "eventId" || key === "eventIds" || key === "triage" ? undefined : value)));
}

describe("the hunting query's series, uploaded back", () => {
  it("is recognised, stored as the events it summarises, and gives the finding the raw rows give, triage included", async () => {
    const raw = await modules.ingest.ingestTelemetryText("raw.csv", RAW_CSV, "cli:test");
    expect([raw.format, raw.accepted, raw.rejected]).toEqual(["csv", 9, 0]);
    await modules.detection.runDetection();
    const [fromRaw] = await findingsNow();
    expect(fromRaw.process.processName).toBe("updater.exe");
    expect(fromRaw.connections.destinations.map(({ remoteIp, remotePort, connections, remoteDomains }) => [remoteIp, remotePort, connections, remoteDomains])).toEqual([
      ["185.225.17.44", 4444, 8, ["c2.example.net"]],
    ]);
    triage.changeFindingTriage(fromRaw.id, { status: "investigating", tags: ["beacon"] }, await triage.currentFindingMark(fromRaw.id), analyst);

    // Only the series now: the raw rows' dataset removed.
    await modules.datasets.deleteDataset(raw.datasetId);
    await modules.detection.runDetection();
    expect(await findingsNow()).toEqual([]);
    const series = await modules.ingest.ingestTelemetryText("series.csv", SERIES_CSV, "cli:test");
    expect([series.format, series.accepted, series.rejected]).toEqual(["kusto-series", 9, 0]);
    await modules.detection.runDetection();
    const [fromSeries, ...others] = await findingsNow();
    expect(others).toEqual([]);
    expect(comparable(fromSeries)).toEqual(comparable(fromRaw));
    // The same process identity: the same finding id, so its triage carries over.
    expect(fromSeries.triage.status).toBe("investigating");
    expect(fromSeries.triage.tags).toEqual(["beacon"]);
  });

  it("rejects a row that does not hold together, with its line, and stores the rest", async () => {
    const [header, row] = SERIES_CSV.split("\r\n");
    const broken = row.replace(JSON.stringify(CONNECTION_TIMES.map(() => 4444)).replaceAll('"', '""'), "[4444]");
    const result = await modules.ingest.ingestTelemetryText("series-broken.csv", [header, broken, row.replace("ws-7", "ws-8")].join("\r\n"), "cli:test");
    expect([result.format, result.accepted, result.rejected]).toEqual(["kusto-series", 9, 1]);
    expect(result.errors).toEqual([{ line: 2, message: "ConnectionPorts: holds 1 values but ConnectionTimes holds 8" }]);
  });
});
