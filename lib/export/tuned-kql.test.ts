/**
 * The KQL exports: exact text for a small hand-built input, and every variant through Microsoft's
 * own Kusto parser and binder (@kusto/language-service-next) against Defender's documented schema.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SEED_QUERY_LISTS, type DetectionLists } from "../detection/detection-lists";
import { DEFAULT_DETECTION_SETTINGS } from "../detection/detection-settings";
import { SYSTEM_BINARIES } from "../detection/process-lineage";
import { kqlStringLiteral } from "./kql-literal";
import type { KqlSuppression } from "./kql-suppressions";
import { SERIES_BYTES_COLUMN, SERIES_COLUMNS, tunedDetectionKql, type KqlExportVariant, type TunedKqlInput } from "./tuned-kql";

// ---------------------------------------------------------------------------------------------
// Microsoft's Kusto parser and binder, compiled to JavaScript by Bridge.NET: two scripts that
// define the globals `Bridge` and `Kusto`. Only what these tests use is typed here.

interface KustoList<T> {
  Count: number;
  getItem(index: number): T;
}
interface KustoDiagnostic {
  Severity: string;
  Code: string;
  Message: string;
  Start: number;
  Length: number;
}
interface KustoCode {
  GetDiagnostics(): KustoList<KustoDiagnostic>;
  Syntax: { WalkElements(action: (element: { LiteralValue?: unknown }) => void): void };
  ResultType: { Columns?: KustoList<{ Name: string; Type: { Name: string } }> } | null;
}
interface KustoLanguage {
  Symbols: {
    TableSymbol: { From(schema: string): { WithName(name: string): unknown } };
    DatabaseSymbol: { $ctor1: new (name: string, members: unknown[], isOpen: boolean) => unknown };
  };
  GlobalState: { Default: { WithDatabase(database: unknown): unknown } };
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KustoCode };
}

let Kusto: KustoLanguage;

/** Parsing and binding the long queries takes a second or two each, more on a busy machine. */
const BINDER_TIMEOUT_MS = 60_000;

beforeAll(() => {
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.js");
  require("@kusto/language-service-next/Kusto.Language.Bridge.js");
  Kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
  // The first analysis builds the binder's tables of functions and operators: pay for it here.
  analyze("print x = 1");
}, BINDER_TIMEOUT_MS);

/**
 * Defender XDR's documented columns (learn.microsoft.com, "advanced hunting schema", the
 * DeviceImageLoadEvents, DeviceNetworkEvents and DeviceProcessEvents tables; the same names head
 * the Advanced Hunting export in ../shared/samples). DeviceNetworkEvents documents no SentBytes or
 * ReceivedBytes.
 */
const INITIATING_PROCESS =
  "InitiatingProcessAccountDomain:string, InitiatingProcessAccountName:string, InitiatingProcessAccountSid:string, " +
  "InitiatingProcessAccountUpn:string, InitiatingProcessAccountObjectId:string, InitiatingProcessIntegrityLevel:string, " +
  "InitiatingProcessTokenElevation:string, InitiatingProcessSHA1:string, InitiatingProcessSHA256:string, InitiatingProcessMD5:string, " +
  "InitiatingProcessFileName:string, InitiatingProcessFileSize:long, InitiatingProcessVersionInfoCompanyName:string, " +
  "InitiatingProcessVersionInfoProductName:string, InitiatingProcessVersionInfoProductVersion:string, " +
  "InitiatingProcessVersionInfoInternalFileName:string, InitiatingProcessVersionInfoOriginalFileName:string, " +
  "InitiatingProcessVersionInfoFileDescription:string, InitiatingProcessId:long, InitiatingProcessCommandLine:string, " +
  "InitiatingProcessCreationTime:datetime, InitiatingProcessFolderPath:string, InitiatingProcessParentId:long, " +
  "InitiatingProcessParentFileName:string, InitiatingProcessParentCreationTime:datetime";
const FILE = "FileName:string, FolderPath:string, SHA1:string, SHA256:string, MD5:string, FileSize:long";
const DEVICE = "Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string";

const DEFENDER_TABLES: Record<string, string> = {
  DeviceImageLoadEvents: `(${DEVICE}, ${FILE}, ${INITIATING_PROCESS}, ReportId:long, AppGuardContainerId:string)`,
  DeviceNetworkEvents:
    `(${DEVICE}, RemoteIP:string, RemotePort:int, RemoteUrl:string, LocalIP:string, LocalPort:int, Protocol:string, ` +
    `LocalIPType:string, RemoteIPType:string, ${INITIATING_PROCESS}, ReportId:long, AppGuardContainerId:string, AdditionalFields:string, ` +
    "InitiatingProcessSessionId:long, IsInitiatingProcessRemoteSession:bool, InitiatingProcessRemoteSessionDeviceName:string, " +
    "InitiatingProcessRemoteSessionIP:string)",
  DeviceProcessEvents:
    `(${DEVICE}, ${FILE}, ProcessVersionInfoCompanyName:string, ProcessVersionInfoProductName:string, ` +
    "ProcessVersionInfoProductVersion:string, ProcessVersionInfoInternalFileName:string, ProcessVersionInfoOriginalFileName:string, " +
    "ProcessVersionInfoFileDescription:string, ProcessId:long, ProcessCommandLine:string, ProcessIntegrityLevel:string, " +
    "ProcessTokenElevation:string, ProcessCreationTime:datetime, AccountDomain:string, AccountName:string, AccountSid:string, " +
    `AccountUpn:string, AccountObjectId:string, LogonId:long, ${INITIATING_PROCESS}, InitiatingProcessLogonId:long, ` +
    "InitiatingProcessSignerType:string, InitiatingProcessSignatureStatus:string, ReportId:long, AppGuardContainerId:string, " +
    "AdditionalFields:string)",
};

/** The same tables, with the two byte columns some tables (Sysmon-fed, custom) add to DeviceNetworkEvents. */
const TABLES_WITH_BYTES: Record<string, string> = {
  ...DEFENDER_TABLES,
  DeviceNetworkEvents: DEFENDER_TABLES.DeviceNetworkEvents.replace(/\)$/, ", SentBytes:long, ReceivedBytes:long)"),
};

const globalsByTables = new Map<Record<string, string>, unknown>();

function analyze(text: string, tables: Record<string, string> = DEFENDER_TABLES): KustoCode {
  let globals = globalsByTables.get(tables);
  if (globals === undefined) {
    const symbols = Object.entries(tables).map(([name, schema]) => Kusto.Symbols.TableSymbol.From(schema).WithName(name));
    globals = Kusto.GlobalState.Default.WithDatabase(new Kusto.Symbols.DatabaseSymbol.$ctor1("Defender", symbols, false));
    globalsByTables.set(tables, globals);
  }
  return Kusto.KustoCode.ParseAndAnalyze(text, globals);
}

function items<T>(list: KustoList<T> | undefined): T[] {
  return list ? Array.from({ length: list.Count }, (_, index) => list.getItem(index)) : [];
}

/** The errors, each with the text it points at, so a failure prints what went wrong where. */
function errors(text: string, tables?: Record<string, string>): string[] {
  return errorsOf(analyze(text, tables), text);
}

function errorsOf(code: KustoCode, text: string): string[] {
  return items(code.GetDiagnostics())
    .filter((diagnostic) => diagnostic.Severity === "Error")
    .map((diagnostic) => `${diagnostic.Code} ${diagnostic.Message} at ${JSON.stringify(text.slice(diagnostic.Start, diagnostic.Start + Math.max(diagnostic.Length, 1)))}`);
}

/** Every string literal's value, as the parser decoded it (spliced literals give one value). */
function stringLiteralValues(code: KustoCode): string[] {
  const values: string[] = [];
  code.Syntax.WalkElements((element) => {
    if (typeof element.LiteralValue === "string") values.push(element.LiteralValue);
  });
  return values;
}

/** A `print` of the literal: its errors and the values the parser reads in it. */
function printed(literal: string): { errors: string[]; values: string[] } {
  const query = `print x = ${literal}`;
  const code = analyze(query);
  return { errors: errorsOf(code, query), values: stringLiteralValues(code) };
}

function resultColumns(text: string, tables?: Record<string, string>): string[] {
  return items(analyze(text, tables).ResultType?.Columns).map((column) => `${column.Name}:${column.Type.Name}`);
}

// ---------------------------------------------------------------------------------------------

const HOSTILE_VALUES = [
  'a"b',
  "a\\b",
  "'",
  "new\nline",
  "cr\rlf\r\n",
  "trailing\\",
  '""',
  '@"x"',
  '\\"',
  "tab\there",
  // A verbatim piece then an escape: they must not touch (@"a""\n" is one literal).
  'C:\\dir"\nnext',
  '" ) | where true //',
  "]; DeviceNetworkEvents | take 1 //",
  "```",
  "right\u202Eexe.gpj",
  "zero\u200Bwidth",
  "line\u2028separator",
  "nul\u0000byte",
  "lone\uD800surrogate",
  "emoji\u{1F600}.dll",
  "tag\u{E0041}",
  "Ünïcödé.exe",
  "",
];

describe("kqlStringLiteral", () => {
  it("writes plain text as a quoted literal and text with a quote or backslash as a verbatim one", () => {
    expect(kqlStringLiteral("rsaenh.dll")).toBe('"rsaenh.dll"');
    expect(kqlStringLiteral("'")).toBe(`"'"`);
    expect(kqlStringLiteral('a"b')).toBe('@"a""b"');
    expect(kqlStringLiteral("a\\b")).toBe('@"a\\b"');
    expect(kqlStringLiteral("trailing\\")).toBe('@"trailing\\"');
    expect(kqlStringLiteral('""')).toBe('@""""""');
    expect(kqlStringLiteral("")).toBe('""');
    expect(kqlStringLiteral("emoji\u{1F600}.dll")).toBe('"emoji\u{1F600}.dll"');
  });

  it("splices what a literal cannot hold as itself in as escapes, a space between the pieces", () => {
    expect(kqlStringLiteral("new\nline")).toBe('"new" "\\n" "line"');
    expect(kqlStringLiteral("tab\there")).toBe('"tab" "\\t" "here"');
    expect(kqlStringLiteral("cr\rlf\r\n")).toBe('"cr" "\\u000D" "lf" "\\u000D" "\\n"');
    // Without the space, @"a""\n" would be one verbatim literal holding a quote.
    expect(kqlStringLiteral('C:\\x"\ny')).toBe('@"C:\\x""" "\\n" "y"');
    expect(kqlStringLiteral("right\u202Eexe.gpj")).toBe('"right" "\\u202E" "exe.gpj"');
    expect(kqlStringLiteral("line\u2028separator")).toBe('"line" "\\u2028" "separator"');
    expect(kqlStringLiteral("nul\u0000byte")).toBe('"nul" "\\u0000" "byte"');
    expect(kqlStringLiteral("lone\uD800surrogate")).toBe('"lone" "\\uD800" "surrogate"');
    expect(kqlStringLiteral("tag\u{E0041}")).toBe('"tag" "\\uDB40\\uDC41"');
  });

  it("gives back exactly the value through Microsoft's Kusto parser, hostile values included", () => {
    for (const value of HOSTILE_VALUES) expect(printed(kqlStringLiteral(value)), JSON.stringify(value)).toEqual({ errors: [], values: [value] });
  }, BINDER_TIMEOUT_MS);

  it("gives back exactly the value for random strings of awkward characters", () => {
    const alphabet = ['"', "'", "\\", "@", "`", "\n", "\r", "\t", " ", "a", "Z", "|", "/", "*", "\u0085", "\u202E", "\u2029", "\uFEFF", "\uD83D", "\uDE00", "é"];
    let seed = 1;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let round = 0; round < 300; round++) {
      const value = Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      expect(printed(kqlStringLiteral(value)), JSON.stringify(value)).toEqual({ errors: [], values: [value] });
    }
  }, BINDER_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------------------------

const SMALL_LISTS: DetectionLists = {
  cryptoLibraries: ["bcrypt.dll", 'odd"name.dll'],
  excludedSystemProcesses: ["svchost.exe", "Veeam.Backup.Service.exe"],
  excludedBrowsers: ["chrome.exe"],
  standardPorts: [443, 8443],
};
const SMALL_SETTINGS = { lookbackHours: 48, correlationWindowMinutes: 5 };

const SMALL_LISTS_SECTION = `let Lookback = 48h;
let CorrelationWindow = 5m;
let CryptoLibraries = datatable(FileName:string)[
    "bcrypt.dll",
    @"odd""name.dll"
];
let ExcludedSystemProcs = datatable(ProcessName:string)[
    "svchost.exe",
    "Veeam.Backup.Service.exe"
];
let ExcludedBrowsers = datatable(ProcessName:string)[
    "chrome.exe"
];
let StandardPorts = dynamic([443, 8443]);
// Where Windows ships its system binaries (lower case; a trailing \\* is any one folder inside).
let SystemBinaryFolders = datatable(ProcessName:string, Folder:string)[
    "svchost.exe", @"c:\\windows\\system32",
    "svchost.exe", @"c:\\windows\\syswow64",
`;

const EXCLUSIONS_AND_STEPS_1_2 = `];
// Excluded anywhere: the browsers, and the excluded names that are no system binary's.
let ExcludedAnywhere = union
    (ExcludedSystemProcs | where not(ProcessName in~ (SystemBinaryFolders | project ProcessName))),
    ExcludedBrowsers
| project ProcessName = tolower(ProcessName);
// Excluded only at home: the excluded system binaries' names, each in its own folders.
let ExcludedAtHome = SystemBinaryFolders
| where ProcessName in~ (ExcludedSystemProcs)
| project HomeKey = strcat(ProcessName, "|", Folder);
// Every system binary's name in each of its folders: the same name anywhere else is a masquerade.
let SystemBinaryHomes = SystemBinaryFolders | project HomeKey = strcat(ProcessName, "|", Folder);
// Step 1: crypto library loads by processes not excluded.
let CryptoLoads = DeviceImageLoadEvents
| where Timestamp > ago(Lookback)
| where FileName in~ (CryptoLibraries)
| extend ProcessKey = tolower(InitiatingProcessFileName)
| where not(ProcessKey in (ExcludedAnywhere))
// The image's folder (InitiatingProcessFolderPath may end with the file name) and the folder above it.
| extend ImagePath = trim_end(@"\\\\+", replace_string(tolower(InitiatingProcessFolderPath), "/", @"\\"))
| extend ImageFolder = iif(ImagePath endswith strcat(@"\\", ProcessKey), substring(ImagePath, 0, strlen(ImagePath) - strlen(ProcessKey) - 1), ImagePath)
| extend ParentFolder = extract(@"^(.*)\\\\[^\\\\]+$", 1, ImageFolder)
| extend FolderKey = strcat(ProcessKey, "|", ImageFolder), InsideKey = strcat(ProcessKey, "|", ParentFolder, @"\\*")
| where not(FolderKey in (ExcludedAtHome) or InsideKey in (ExcludedAtHome))
| extend OutsideSystemFolder = isnotempty(ImageFolder) and ProcessKey in (SystemBinaryFolders | project ProcessName)
    and not(FolderKey in (SystemBinaryHomes) or InsideKey in (SystemBinaryHomes))
| project
    LoadTime = Timestamp,
    DeviceName,
    DeviceId,
    ProcessId = InitiatingProcessId,
    ProcessCreationTime = InitiatingProcessCreationTime,
    ProcessName = InitiatingProcessFileName,
    ProcessFolder = InitiatingProcessFolderPath,
    ProcessCmd = InitiatingProcessCommandLine,
    AccountName = InitiatingProcessAccountName,
    ProcessSHA256 = InitiatingProcessSHA256,
    OutsideSystemFolder,
    CryptoLib = FileName;
// Step 2: successful connections to public addresses on non-standard ports.
let Connections = DeviceNetworkEvents
| where Timestamp > ago(Lookback)
| where ActionType == "ConnectionSuccess"
| where RemoteIPType == "Public"
| where isnotnull(RemotePort) and not(RemotePort in (StandardPorts))
| project
    ConnTime = Timestamp,
    ReportId,
    DeviceId,
    ProcessId = InitiatingProcessId,
    ProcessCreationTime = InitiatingProcessCreationTime,
    RemoteIP,
    RemotePort,
    RemoteUrl;
`;

const DETECTION_STEP_3 = `// Step 3: a crypto load followed by a connection of the same process within the window.
CryptoLoads
| join kind=inner (Connections) on DeviceId, ProcessId, ProcessCreationTime
| where ConnTime between (LoadTime .. (LoadTime + CorrelationWindow))
// One row per connection (Defender: DeviceId, Timestamp and ReportId identify an event), however many loads precede it.
| summarize CryptoLibs = make_set(CryptoLib)
    by DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, OutsideSystemFolder, ConnTime, ReportId, RemoteIP, RemotePort, RemoteUrl
| summarize
    CryptoLibsLoaded = make_set(CryptoLibs),
    RemoteIPs = make_set(RemoteIP),
    RemotePorts = make_set(RemotePort),
    RemoteUrls = make_set_if(RemoteUrl, isnotempty(RemoteUrl)),
    ConnectionCount = count(),
    FirstConnection = min(ConnTime),
    LastConnection = max(ConnTime)
    by DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, OutsideSystemFolder
| extend DurationMinutes = (LastConnection - FirstConnection) / 1m
| extend AvgIntervalSeconds = iif(
    ConnectionCount > 1,
    ((LastConnection - FirstConnection) / 1s) / (ConnectionCount - 1),
    0.0)
| extend BeaconLikely = AvgIntervalSeconds between (30.0 .. 3600.0) and ConnectionCount >= 5
| sort by ConnectionCount desc
`;

const SERIES_STEPS_3_4 = `// Step 3: one series per process and destination address, its connections in time order.
let Series = Connections
| summarize
    ConnectionTimes = make_list(ConnTime),
    ConnectionPorts = make_list(RemotePort),
    ConnectionUrls = make_list(RemoteUrl),
    RemoteUrls = make_set_if(RemoteUrl, isnotempty(RemoteUrl)),
    ConnectionCount = count(),
    FirstConnection = min(ConnTime),
    LastConnection = max(ConnTime)
    by DeviceId, ProcessId, ProcessCreationTime, RemoteIP
| extend (ConnectionTimes, ConnectionPorts, ConnectionUrls) = array_sort_asc(ConnectionTimes, ConnectionPorts, ConnectionUrls);
// Step 4: the crypto loads of the same process before the series' last connection.
CryptoLoads
| join kind=inner (Series) on DeviceId, ProcessId, ProcessCreationTime
| where LoadTime <= LastConnection
| summarize
    CryptoLoadTimes = make_list(LoadTime),
    CryptoLibs = make_list(CryptoLib),
    RemoteUrls = take_any(RemoteUrls),
    ConnectionTimes = take_any(ConnectionTimes),
    ConnectionPorts = take_any(ConnectionPorts),
    ConnectionUrls = take_any(ConnectionUrls)
    by DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, OutsideSystemFolder, RemoteIP, ConnectionCount, FirstConnection, LastConnection
| extend (CryptoLoadTimes, CryptoLibs) = array_sort_asc(CryptoLoadTimes, CryptoLibs)
| project DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, RemoteIP, RemoteUrls, ConnectionCount, FirstConnection, LastConnection, ConnectionTimes, ConnectionPorts, ConnectionUrls, CryptoLoadTimes, CryptoLibs
| sort by ConnectionCount desc
`;

function small(variant: KqlExportVariant, tableHasBytes = false): string {
  return tunedDetectionKql({ lists: SMALL_LISTS, settings: SMALL_SETTINGS, variant, tableHasBytes, suppressions: [] });
}

/** The text between two markers (the first included, the second not). */
function between(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start + from.length);
  expect(start, from).toBeGreaterThanOrEqual(0);
  expect(end, to).toBeGreaterThan(start);
  return text.slice(start, end);
}

describe("tunedDetectionKql: the text", () => {
  it("detection: the lists as datatables, lookback and window from the settings, then the corrected steps", () => {
    const text = small("detection");
    expect(text.startsWith("// T1573.001 Symmetric Cryptography C2: Cipherwatch's tuned detection.\n")).toBe(true);
    expect(text).toContain(SMALL_LISTS_SECTION);
    expect(text.endsWith(EXCLUSIONS_AND_STEPS_1_2 + DETECTION_STEP_3)).toBe(true);
  });

  it("series: the same lists and steps 1 and 2, then one row per process and destination", () => {
    const text = small("series");
    expect(text.startsWith("// T1573.001 Symmetric Cryptography C2: Cipherwatch's hunting query.\n")).toBe(true);
    // No correlation window: the series is every connection to the address, scored in Cipherwatch.
    expect(text).toContain(SMALL_LISTS_SECTION.replace("let CorrelationWindow = 5m;\n", ""));
    expect(text).not.toContain("CorrelationWindow");
    expect(text.endsWith(EXCLUSIONS_AND_STEPS_1_2 + SERIES_STEPS_3_4)).toBe(true);
  });

  it("lists every folder of every system binary, lower case, Defender's versioned Platform folder as \\*", () => {
    const rows = between(small("detection"), "let SystemBinaryFolders", "];").split("\n").slice(1, -1);
    expect(rows).toHaveLength(SYSTEM_BINARIES.reduce((count, binary) => count + binary.folders.length, 0));
    expect(rows).toContain('    "wmiprvse.exe", @"c:\\windows\\system32\\wbem",');
    expect(rows).toContain('    "explorer.exe", @"c:\\windows",');
    expect(rows).toContain('    "msmpeng.exe", @"c:\\programdata\\microsoft\\windows defender\\platform\\*",');
    expect(rows.at(-1)).toBe('    "mpcmdrun.exe", @"c:\\program files\\windows defender"');
  });

  it("reads SentBytes and ReceivedBytes only when the table has them", () => {
    for (const variant of ["detection", "series"] as const) {
      // Only the header comment names them, to say they are not read.
      const code = small(variant).split("\n").filter((line) => !line.startsWith("//"));
      expect(code.filter((line) => /SentBytes|ReceivedBytes|BytesSent|BytesReceived/.test(line))).toEqual([]);
      expect(small(variant, true)).toContain("    BytesSent = SentBytes,\n    BytesReceived = ReceivedBytes;\n");
    }
    const detection = small("detection", true);
    expect(detection).toContain(", RemoteUrl, BytesSent, BytesReceived\n");
    expect(detection).toContain("    TotalBytesSent = sum(BytesSent),\n    TotalBytesReceived = sum(BytesReceived),\n");
    expect(detection).toContain("| extend DataTransferMB = round(toreal(TotalBytesSent + TotalBytesReceived) / 1048576, 2)\n");
    const series = small("series", true);
    expect(series).toContain(`    ${SERIES_BYTES_COLUMN} = make_list(pack_array(BytesSent, BytesReceived)),\n`);
    expect(series).toContain(`| extend (ConnectionTimes, ConnectionPorts, ConnectionUrls, ${SERIES_BYTES_COLUMN}) = array_sort_asc(ConnectionTimes, ConnectionPorts, ConnectionUrls, ${SERIES_BYTES_COLUMN});\n`);
  });

  it("writes empty lists as empty datatables and an empty port array", () => {
    const text = tunedDetectionKql({ lists: { cryptoLibraries: [], excludedSystemProcesses: [], excludedBrowsers: [], standardPorts: [] }, settings: SMALL_SETTINGS, variant: "detection", tableHasBytes: false, suppressions: [] });
    expect(text).toContain("let CryptoLibraries = datatable(FileName:string)[];\nlet ExcludedSystemProcs = datatable(ProcessName:string)[];\nlet ExcludedBrowsers = datatable(ProcessName:string)[];\nlet StandardPorts = dynamic([]);\n");
  });

  it("refuses settings and ports that are not whole numbers in range, rather than writing them into the query", () => {
    const input = { lists: SMALL_LISTS, settings: SMALL_SETTINGS, variant: "detection" as const, tableHasBytes: false, suppressions: [] };
    expect(() => tunedDetectionKql({ ...input, settings: { ...SMALL_SETTINGS, lookbackHours: 0 } })).toThrow(RangeError);
    expect(() => tunedDetectionKql({ ...input, settings: { ...SMALL_SETTINGS, correlationWindowMinutes: 1.5 } })).toThrow(RangeError);
    expect(() => tunedDetectionKql({ ...input, lists: { ...SMALL_LISTS, standardPorts: [Number.NaN] } })).toThrow(RangeError);
    expect(() => tunedDetectionKql({ ...input, lists: { ...SMALL_LISTS, standardPorts: [65536] } })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------

const DEFAULT_INPUT = { lists: SEED_QUERY_LISTS, settings: DEFAULT_DETECTION_SETTINGS, suppressions: [] };
const HOSTILE_LISTS: DetectionLists = {
  cryptoLibraries: [...SEED_QUERY_LISTS.cryptoLibraries, ...HOSTILE_VALUES],
  excludedSystemProcesses: [...SEED_QUERY_LISTS.excludedSystemProcesses, ...HOSTILE_VALUES],
  excludedBrowsers: [...HOSTILE_VALUES, ...SEED_QUERY_LISTS.excludedBrowsers],
  standardPorts: [...SEED_QUERY_LISTS.standardPorts, 0, 65535],
};

/** The seed query's KQL, as the seed file has it: between its "kusto" line and the severity line. */
function seedQueryText(): string {
  const seeds = path.resolve(import.meta.dirname, "../../../shared/seeds");
  const file = readdirSync(seeds).find((name) => name.startsWith("000_"));
  if (!file) throw new Error(`The seed rule (000_*.txt) is missing from ${seeds}.`);
  const lines = readFileSync(path.join(seeds, file), "utf8").split(/\r?\n/);
  const start = lines.indexOf("kusto");
  const end = lines.findIndex((line, index) => index > start && line.startsWith("high severity"));
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return lines.slice(start + 1, end).join("\n");
}

describe("through Microsoft's Kusto parser and binder, against Defender's documented schema", { timeout: BINDER_TIMEOUT_MS }, () => {
  it("the seed query itself gets exactly two errors: the byte columns Defender does not document", () => {
    expect(errors(seedQueryText()).map((error) => error.split(" at ")[0])).toEqual([
      "KS142 The name 'SentBytes' does not refer to any known column, table, variable or function.",
      "KS142 The name 'ReceivedBytes' does not refer to any known column, table, variable or function.",
    ]);
  });

  it.each(["detection", "series"] as const)("%s binds with no error, with the default lists and with hostile values", (variant) => {
    for (const lists of [SEED_QUERY_LISTS, HOSTILE_LISTS, SMALL_LISTS]) {
      const text = tunedDetectionKql({ ...DEFAULT_INPUT, lists, variant, tableHasBytes: false });
      expect(errors(text)).toEqual([]);
    }
    const empty = { cryptoLibraries: [], excludedSystemProcesses: [], excludedBrowsers: [], standardPorts: [] };
    expect(errors(tunedDetectionKql({ ...DEFAULT_INPUT, lists: empty, variant, tableHasBytes: false }))).toEqual([]);
  });

  it.each(["detection", "series"] as const)("%s carries every hostile value into its list exactly", (variant) => {
    const values = stringLiteralValues(analyze(tunedDetectionKql({ ...DEFAULT_INPUT, lists: HOSTILE_LISTS, variant, tableHasBytes: false })));
    for (const value of HOSTILE_VALUES) expect(values, JSON.stringify(value)).toContain(value);
  });

  it.each(["detection", "series"] as const)("%s with tableHasBytes: exactly the two missing columns against Defender's schema, none against a table that has them", (variant) => {
    const text = tunedDetectionKql({ ...DEFAULT_INPUT, variant, tableHasBytes: true });
    expect(errors(text).map((error) => error.split(" at ")[0])).toEqual([
      "KS142 The name 'SentBytes' does not refer to any known column, table, variable or function.",
      "KS142 The name 'ReceivedBytes' does not refer to any known column, table, variable or function.",
    ]);
    expect(errors(text, TABLES_WITH_BYTES)).toEqual([]);
  });

  it("detection answers one row per process with the seed's columns, corrected", () => {
    const columns = resultColumns(tunedDetectionKql({ ...DEFAULT_INPUT, variant: "detection", tableHasBytes: false }));
    expect(columns).toEqual([
      "DeviceName:string", "DeviceId:string", "ProcessId:long", "ProcessCreationTime:datetime", "ProcessName:string", "ProcessFolder:string",
      "ProcessCmd:string", "AccountName:string", "ProcessSHA256:string", "OutsideSystemFolder:bool", "CryptoLibsLoaded:dynamic", "RemoteIPs:dynamic", "RemotePorts:dynamic",
      "RemoteUrls:dynamic", "ConnectionCount:long", "FirstConnection:datetime", "LastConnection:datetime", "DurationMinutes:real",
      "AvgIntervalSeconds:real", "BeaconLikely:bool",
    ]);
    const withBytes = resultColumns(tunedDetectionKql({ ...DEFAULT_INPUT, variant: "detection", tableHasBytes: true }), TABLES_WITH_BYTES);
    expect(withBytes).toEqual(expect.arrayContaining(["TotalBytesSent:long", "TotalBytesReceived:long", "DataTransferMB:real"]));
  });

  it("series answers SERIES_COLUMNS in order (the CSV header Cipherwatch will recognise)", () => {
    const names = (columns: string[]) => columns.map((column) => column.split(":")[0]);
    expect(names(resultColumns(tunedDetectionKql({ ...DEFAULT_INPUT, variant: "series", tableHasBytes: false })))).toEqual([...SERIES_COLUMNS]);
    expect(names(resultColumns(tunedDetectionKql({ ...DEFAULT_INPUT, variant: "series", tableHasBytes: true }), TABLES_WITH_BYTES))).toEqual([...SERIES_COLUMNS, SERIES_BYTES_COLUMN]);
  });
});

// ---------------------------------------------------------------------------------------------

const SHA = "ab".repeat(32);
const SUPPRESSIONS: KqlSuppression[] = [
  { id: "0a1b", conditions: { sha256: SHA, deviceName: "WS-01", remoteIp: ["203.0.113.0/24", "2001:db8::/32"], remotePort: [4444] }, expiresAt: "2026-12-31T00:00:00Z" },
  { id: "0a1c", conditions: { processName: "Veeam.Backup.Service.exe" }, expiresAt: null },
  { id: "0a1d", conditions: { processPath: "C:\\Program Files\\Veeam\\*", remoteDomain: "*.veeam.com" }, expiresAt: null },
];

function withSuppressions(variant: KqlExportVariant, suppressions: readonly KqlSuppression[] = SUPPRESSIONS, lists: DetectionLists = SEED_QUERY_LISTS): string {
  return tunedDetectionKql({ lists, settings: DEFAULT_DETECTION_SETTINGS, variant, tableHasBytes: false, suppressions } satisfies TunedKqlInput);
}

describe("suppressions compiled in", { timeout: BINDER_TIMEOUT_MS }, () => {
  it("counts each entry's misses over every public connection of a process in the lookback, apart from the detection's own filters", () => {
    for (const variant of ["detection", "series"] as const) {
      expect(withSuppressions(variant)).toContain(String.raw`// Each process's connections as a suppression's remote conditions see them: all of them (the
// untyped and FourToSixMapping ones too: Cipherwatch classifies those addresses itself), for the
// processes that loaded a crypto library.
let SuppressionMisses = DeviceNetworkEvents
| where Timestamp > ago(Lookback)
| where ActionType == "ConnectionSuccess"
| where RemoteIPType in ("Public", "FourToSixMapping") or isempty(RemoteIPType)
| join kind=leftsemi (CryptoLoads | distinct DeviceId, ProcessId, ProcessCreationTime)
    on DeviceId, $left.InitiatingProcessId == $right.ProcessId, $left.InitiatingProcessCreationTime == $right.ProcessCreationTime
| summarize
    Suppression1Misses = countif(not((coalesce(ipv4_is_in_any_range(replace_regex(RemoteIP, @"^::[fF]{4}:", ""), dynamic(["203.0.113.0/24"])), false) or (RemoteIP !contains "." and not(parse_ipv6(RemoteIP) startswith "0000:0000:0000:0000:0000:ffff:") and coalesce(ipv6_is_in_any_range(RemoteIP, dynamic(["2001:db8::/32"])), false))) and RemotePort in (4444))),
    Suppression3Misses = countif(not(trim_end(@"\.", extract(@"(?s)^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#]*@)?([^/?#]*?)(?::\d+)?(?:[/?#].*)?$", 1, tolower(trim(@"\s+", RemoteUrl)))) matches regex @"^.+\.veeam\.com$"))
    by DeviceId, ProcessId = InitiatingProcessId, ProcessCreationTime = InitiatingProcessCreationTime;
`);
    }
    // Not among the detection's own steps: they keep only non-standard ports and the window.
    expect(between(withSuppressions("detection"), "// Step 3", "// Step 4")).not.toContain("Misses");
  });

  it("detection: the misses joined to the per-process rows, then a where clause per entry", () => {
    const text = withSuppressions("detection");
    expect(text).toContain("// Cipherwatch's 3 suppressions in force at export (any left out is named below): a process is left out when every condition\n");
    expect(text.endsWith(String.raw`| extend BeaconLikely = AvgIntervalSeconds between (30.0 .. 3600.0) and ConnectionCount >= 5
// Step 4: Cipherwatch's suppressions.
| join kind=leftouter (SuppressionMisses) on DeviceId, ProcessId, ProcessCreationTime
// Suppression 1 (Cipherwatch id 0a1b)
| where not(now() < datetime(2026-12-31T00:00:00.000Z) and tolower(ProcessSHA256) == "${SHA}" and tolower(DeviceName) == "ws-01" and coalesce(Suppression1Misses, 1) == 0)
// Suppression 2 (Cipherwatch id 0a1c)
| where not(tolower(ProcessName) == "veeam.backup.service.exe" and not(OutsideSystemFolder))
// Suppression 3 (Cipherwatch id 0a1d)
| where not(ProcessFolder matches regex @"(?s)^[cC]\:\\[pP][rR][oO][gG][rR][aA][mM] [fF][iI][lL][eE][sS]\\[vV][eE][eE][aA][mM]\\.*$" and coalesce(Suppression3Misses, 1) == 0)
| project-away Suppression1Misses, Suppression3Misses, DeviceId1, ProcessId1, ProcessCreationTime1
| sort by ConnectionCount desc
`)).toBe(true);
  });

  it("series: the suppressed processes, judged on the misses of all their connections, left out of every series", () => {
    const text = withSuppressions("series");
    expect(text).toContain(String.raw`    ConnectionUrls = take_any(ConnectionUrls)
    by DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, OutsideSystemFolder, RemoteIP, ConnectionCount, FirstConnection, LastConnection
| extend (CryptoLoadTimes, CryptoLibs) = array_sort_asc(CryptoLoadTimes, CryptoLibs);
// Step 5: Cipherwatch's suppressions, over each process's series together.
let Suppressed = Candidates
| summarize by DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, OutsideSystemFolder
| join kind=leftouter (SuppressionMisses) on DeviceId, ProcessId, ProcessCreationTime
// Suppression 1 (Cipherwatch id 0a1b)
| where (now() < datetime(2026-12-31T00:00:00.000Z) and tolower(ProcessSHA256) == "${SHA}" and tolower(DeviceName) == "ws-01" and coalesce(Suppression1Misses, 1) == 0)
// Suppression 2 (Cipherwatch id 0a1c)
    or (tolower(ProcessName) == "veeam.backup.service.exe" and not(OutsideSystemFolder))
// Suppression 3 (Cipherwatch id 0a1d)
    or (ProcessFolder matches regex @"(?s)^[cC]\:\\[pP][rR][oO][gG][rR][aA][mM] [fF][iI][lL][eE][sS]\\[vV][eE][eE][aA][mM]\\.*$" and coalesce(Suppression3Misses, 1) == 0);
Candidates
| join kind=leftanti (Suppressed) on DeviceId, ProcessId, ProcessCreationTime
| project ${SERIES_COLUMNS.join(", ")}
| sort by ConnectionCount desc
`);
    expect(text).toContain("// Step 4: the crypto loads of the same process before the series' last connection.\nlet Candidates = CryptoLoads\n");
  });

  it("with only process conditions: no misses to count, and the series summarised by process alone", () => {
    const text = withSuppressions("series", [SUPPRESSIONS[1]]);
    expect(text).not.toContain("SuppressionMisses");
    expect(text).toContain("let Suppressed = Candidates\n| summarize by DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, OutsideSystemFolder\n// Suppression 1");
    expect(errors(text)).toEqual([]);
    expect(errors(withSuppressions("detection", [SUPPRESSIONS[1]]))).toEqual([]);
  });

  it("leaves out, and names, a stored entry that no longer passes the checks", () => {
    const stale: KqlSuppression = { id: "0a1e", conditions: { remoteIp: ["0.0.0.0/1"] }, expiresAt: null };
    const text = withSuppressions("detection", [stale, SUPPRESSIONS[1]]);
    expect(text).toContain("// Suppression 1 (Cipherwatch id 0a1e) is left out: its conditions no longer pass Cipherwatch's checks.\n");
    expect(text).toContain("// Suppression 2 (Cipherwatch id 0a1c)\n| where not(");
    expect(text).not.toContain("0.0.0.0/1");
  });

  it.each(["detection", "series"] as const)("%s binds with no error and keeps its columns, with hostile values in the conditions carried exactly", (variant) => {
    const hostile: KqlSuppression[] = HOSTILE_VALUES.filter((value) => value.trim() !== "").map((value, index) => ({
      id: `${index}`,
      conditions: { processName: value, processPath: `C:\\${value}\\*`, accountName: value, deviceName: value, remotePort: [index] },
      expiresAt: null,
    }));
    for (const suppressions of [SUPPRESSIONS, hostile]) {
      const text = withSuppressions(variant, suppressions);
      expect(errors(text)).toEqual([]);
      const expected = variant === "series" ? [...SERIES_COLUMNS] : resultColumns(withSuppressions(variant, [])).map((column) => column.split(":")[0]);
      expect(resultColumns(text).map((column) => column.split(":")[0])).toEqual(expected);
    }
    const values = stringLiteralValues(analyze(withSuppressions(variant, hostile)));
    // The schema trims what people type, as the editor saves it, and names compare lower-cased.
    for (const { conditions } of hostile) expect(values, JSON.stringify(conditions.processName)).toContain(conditions.processName!.trim().toLowerCase());
  });
});
