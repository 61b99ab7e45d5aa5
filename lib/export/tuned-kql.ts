/**
 * The seed Sentinel rule (../shared/seeds/000_*.txt) as KQL to run in Microsoft Sentinel or Defender
 * Advanced Hunting, with Cipherwatch's current lists and settings compiled in: the scale path, where
 * Kusto does the heavy part over a fleet's raw telemetry (issue 14, "Exports that run in the SIEM").
 *
 * - `detection`: the seed query's steps, corrected where KQL can express it (README, "Default mode"):
 *   a process is its device, PID and creation time; each connection counts once, however many crypto
 *   loads precede it; an excluded Windows system binary's name is excluded only on an image in that
 *   binary's own folder; intervals come from real timestamps, not whole minutes.
 * - `series`: the hunting query, one row per (device, process, destination address) with the
 *   connection times in order and the crypto loads that preceded them, for Cipherwatch to score.
 *
 * It binds against Defender's documented schema: SentBytes and ReceivedBytes are not documented
 * columns of DeviceNetworkEvents, so they are read only when `tableHasBytes` says the table has them.
 * Every value from people (the lists) goes through kqlStringLiteral; none goes into a comment.
 *
 * Pure: no I/O, no clock (the query counts back from the SIEM's own `ago()`).
 */
import { DETECTION_LIST_LABELS, type DetectionLists } from "../detection/detection-lists";
import type { DetectionSettings } from "../detection/detection-settings";
import { SYSTEM_BINARIES } from "../detection/process-lineage";
import { kqlStringLiteral } from "./kql-literal";
import { compileSuppressions, type CompiledSuppression, type KqlSuppression } from "./kql-suppressions";

export const KQL_EXPORT_VARIANTS = ["detection", "series"] as const;
export type KqlExportVariant = (typeof KQL_EXPORT_VARIANTS)[number];

export interface TunedKqlInput {
  lists: DetectionLists;
  settings: Pick<DetectionSettings, "lookbackHours" | "correlationWindowMinutes">;
  variant: KqlExportVariant;
  /** The user's DeviceNetworkEvents has SentBytes and ReceivedBytes (Defender does not document them). */
  tableHasBytes: boolean;
  /** The suppressions in force, compiled in as `where` clauses on the final rows. */
  suppressions: readonly KqlSuppression[];
}

/** The `series` variant's output columns, in order: the header of its result exported from Sentinel or ADX as CSV. */
export const SERIES_COLUMNS = [
  "DeviceName",
  "DeviceId",
  "ProcessId",
  "ProcessCreationTime",
  "ProcessName",
  "ProcessFolder",
  "ProcessCmd",
  "AccountName",
  "ProcessSHA256",
  "RemoteIP",
  "RemoteUrls",
  "ConnectionCount",
  "FirstConnection",
  "LastConnection",
  "ConnectionTimes",
  "ConnectionPorts",
  "ConnectionUrls",
  "CryptoLoadTimes",
  "CryptoLibs",
] as const;

/** With `tableHasBytes`, the series also carries `[SentBytes, ReceivedBytes]` per connection, beside ConnectionTimes. */
export const SERIES_BYTES_COLUMN = "ConnectionBytes";

/** The KQL text of the variant asked for. */
export function tunedDetectionKql(input: TunedKqlInput): string {
  const lookbackHours = positiveInteger(input.settings.lookbackHours, "lookbackHours");
  const windowMinutes = positiveInteger(input.settings.correlationWindowMinutes, "correlationWindowMinutes");
  const { compiled: suppressions, leftOut } = compileSuppressions(input.suppressions);
  const lines = [
    ...(input.variant === "detection" ? detectionHeader(input.tableHasBytes) : seriesHeader(input.tableHasBytes)),
    ...SUPPRESSIONS_NOTE(input.suppressions.length),
    ...leftOut,
    `let Lookback = ${lookbackHours}h;`,
    ...(input.variant === "detection" ? [`let CorrelationWindow = ${windowMinutes}m;`] : []),
    ...listLets(input.lists),
    ...cryptoLoadsLet(),
    ...connectionsLet(input.tableHasBytes),
    ...suppressionMissesLet(suppressions),
    ...(input.variant === "detection" ? detectionResult(input.tableHasBytes, suppressions) : seriesResult(input.tableHasBytes, suppressions)),
  ];
  return `${lines.join("\n")}\n`;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number, not ${value}.`);
  return value;
}

const PROCESS_IDENTITY = [
  "// - a process is its device, PID and creation time (DeviceId, InitiatingProcessId,",
  "//   InitiatingProcessCreationTime): a reused PID does not inherit another process's loads;",
];

const EXCLUSION_IN_FOLDER = (last: boolean) => [
  "// - an excluded name that is a Windows system binary's is excluded only on an image in that",
  "//   binary's own folder (SystemBinaryFolders): the same name elsewhere is a masquerade and stays;",
  `//   other excluded names are excluded wherever the image is${last ? "." : ";"}`,
];

const BYTES_NOTE = (tableHasBytes: boolean) =>
  tableHasBytes
    ? ["// Reads SentBytes and ReceivedBytes, which Defender does not document in DeviceNetworkEvents:", "// your table has them (Cipherwatch export with bytes=yes)."]
    : ["// Reads no SentBytes or ReceivedBytes: Defender does not document them in DeviceNetworkEvents", "// (Cipherwatch export with bytes=yes if your table has them)."];

const SUPPRESSIONS_NOTE = (count: number) =>
  count === 0
    ? []
    : [
        `// Cipherwatch's ${count} suppression${count === 1 ? "" : "s"} in force at export (any left out is named below): a process is left out when every condition`,
        "// of an entry holds, its remote conditions for every successful connection to a public address",
        "// in the lookback (any port, any time); a name alone never hides a system binary's name outside",
        "// its folders; an entry with an expiry stops at that time.",
      ];

function detectionHeader(tableHasBytes: boolean): string[] {
  return [
    "// T1573.001 Symmetric Cryptography C2: Cipherwatch's tuned detection.",
    "// The seed rule's steps (crypto library loads by non-system, non-browser processes followed by",
    "// outbound connections to public IPs on non-standard ports) with Cipherwatch's current lists,",
    "// lookback and correlation window, corrected where KQL can express it:",
    ...PROCESS_IDENTITY,
    "// - each connection counts once, however many crypto loads precede it in the window;",
    ...EXCLUSION_IN_FOLDER(false),
    "// - intervals come from the connections' real times, not from whole minutes.",
    ...BYTES_NOTE(tableHasBytes),
  ];
}

function seriesHeader(tableHasBytes: boolean): string[] {
  return [
    "// T1573.001 Symmetric Cryptography C2: Cipherwatch's hunting query.",
    "// One row per device, process and destination address: the connection times in order (the",
    "// port and RemoteUrl of each beside it), and the crypto library loads of the process that preceded them.",
    "// Export the result as CSV and upload it to Cipherwatch, which scores the series for beaconing.",
    "// The tuned detection's lists and filters, and its corrections:",
    ...PROCESS_IDENTITY,
    ...EXCLUSION_IN_FOLDER(true),
    ...BYTES_NOTE(tableHasBytes),
  ];
}

/** The four lists as the seed names them, plus where the system binaries live and what follows from both. */
function listLets(lists: DetectionLists): string[] {
  const ports = lists.standardPorts.map((port) => {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`A standard port must be a whole number from 0 to 65535, not ${port}.`);
    return String(port);
  });
  const folders = SYSTEM_BINARIES.flatMap(({ name, folders }) =>
    folders.map((folder) => `${kqlStringLiteral(name.toLowerCase())}, ${kqlStringLiteral(folder.toLowerCase())}`),
  );
  return [
    ...datatableLet(DETECTION_LIST_LABELS.cryptoLibraries.kqlName, "FileName:string", lists.cryptoLibraries.map(kqlStringLiteral)),
    ...datatableLet(DETECTION_LIST_LABELS.excludedSystemProcesses.kqlName, "ProcessName:string", lists.excludedSystemProcesses.map(kqlStringLiteral)),
    ...datatableLet(DETECTION_LIST_LABELS.excludedBrowsers.kqlName, "ProcessName:string", lists.excludedBrowsers.map(kqlStringLiteral)),
    `let ${DETECTION_LIST_LABELS.standardPorts.kqlName} = dynamic([${ports.join(", ")}]);`,
    "// Where Windows ships its system binaries (lower case; a trailing \\* is any one folder inside).",
    ...datatableLet("SystemBinaryFolders", "ProcessName:string, Folder:string", folders),
    "// Excluded anywhere: the browsers, and the excluded names that are no system binary's.",
    "let ExcludedAnywhere = union",
    "    (ExcludedSystemProcs | where not(ProcessName in~ (SystemBinaryFolders | project ProcessName))),",
    "    ExcludedBrowsers",
    "| project ProcessName = tolower(ProcessName);",
    "// Excluded only at home: the excluded system binaries' names, each in its own folders.",
    "let ExcludedAtHome = SystemBinaryFolders",
    "| where ProcessName in~ (ExcludedSystemProcs)",
    '| project HomeKey = strcat(ProcessName, "|", Folder);',
    "// Every system binary's name in each of its folders: the same name anywhere else is a masquerade.",
    'let SystemBinaryHomes = SystemBinaryFolders | project HomeKey = strcat(ProcessName, "|", Folder);',
  ];
}

function datatableLet(name: string, schema: string, rows: string[]): string[] {
  if (rows.length === 0) return [`let ${name} = datatable(${schema})[];`];
  return [`let ${name} = datatable(${schema})[`, ...rows.map((row, index) => `    ${row}${index < rows.length - 1 ? "," : ""}`), "];"];
}

/** Step 1: crypto library loads, by processes not excluded, with what identifies the process. */
function cryptoLoadsLet(): string[] {
  return [
    "// Step 1: crypto library loads by processes not excluded.",
    "let CryptoLoads = DeviceImageLoadEvents",
    "| where Timestamp > ago(Lookback)",
    "| where FileName in~ (CryptoLibraries)",
    "| extend ProcessKey = tolower(InitiatingProcessFileName)",
    "| where not(ProcessKey in (ExcludedAnywhere))",
    "// The image's folder (InitiatingProcessFolderPath may end with the file name) and the folder above it.",
    '| extend ImagePath = trim_end(@"\\\\+", replace_string(tolower(InitiatingProcessFolderPath), "/", @"\\"))',
    '| extend ImageFolder = iif(ImagePath endswith strcat(@"\\", ProcessKey), substring(ImagePath, 0, strlen(ImagePath) - strlen(ProcessKey) - 1), ImagePath)',
    '| extend ParentFolder = extract(@"^(.*)\\\\[^\\\\]+$", 1, ImageFolder)',
    '| extend FolderKey = strcat(ProcessKey, "|", ImageFolder), InsideKey = strcat(ProcessKey, "|", ParentFolder, @"\\*")',
    "| where not(FolderKey in (ExcludedAtHome) or InsideKey in (ExcludedAtHome))",
    "| extend OutsideSystemFolder = isnotempty(ImageFolder) and ProcessKey in (SystemBinaryFolders | project ProcessName)",
    "    and not(FolderKey in (SystemBinaryHomes) or InsideKey in (SystemBinaryHomes))",
    "| project",
    "    LoadTime = Timestamp,",
    "    DeviceName,",
    "    DeviceId,",
    "    ProcessId = InitiatingProcessId,",
    "    ProcessCreationTime = InitiatingProcessCreationTime,",
    "    ProcessName = InitiatingProcessFileName,",
    "    ProcessFolder = InitiatingProcessFolderPath,",
    "    ProcessCmd = InitiatingProcessCommandLine,",
    "    AccountName = InitiatingProcessAccountName,",
    "    ProcessSHA256 = InitiatingProcessSHA256,",
    "    OutsideSystemFolder,",
    "    CryptoLib = FileName;",
  ];
}

/** Step 2: successful outbound connections to public addresses on non-standard ports. */
function connectionsLet(tableHasBytes: boolean): string[] {
  return [
    "// Step 2: successful connections to public addresses on non-standard ports.",
    "let Connections = DeviceNetworkEvents",
    "| where Timestamp > ago(Lookback)",
    '| where ActionType == "ConnectionSuccess"',
    '| where RemoteIPType == "Public"',
    "| where isnotnull(RemotePort) and not(RemotePort in (StandardPorts))",
    "| project",
    "    ConnTime = Timestamp,",
    "    ReportId,",
    "    DeviceId,",
    "    ProcessId = InitiatingProcessId,",
    "    ProcessCreationTime = InitiatingProcessCreationTime,",
    "    RemoteIP,",
    "    RemotePort,",
    ...(tableHasBytes ? ["    RemoteUrl,", "    BytesSent = SentBytes,", "    BytesReceived = ReceivedBytes;"] : ["    RemoteUrl;"]),
  ];
}

/** A process: its device, PID and creation time. */
const PROCESS_KEY = "DeviceId, ProcessId, ProcessCreationTime";
/** The right side's copies of PROCESS_KEY after a join. */
const JOINED_KEY_COLUMNS = ["DeviceId1", "ProcessId1", "ProcessCreationTime1"];

/**
 * What each suppression's remote conditions miss, per process: over every successful connection
 * to a public address in the lookback (any port, any time), as Cipherwatch's finding lists its
 * destinations, not only the connections the detection keeps.
 */
function suppressionMissesLet(suppressions: readonly CompiledSuppression[]): string[] {
  const misses = suppressions.flatMap((suppression) => (suppression.misses ? [suppression.misses] : []));
  if (misses.length === 0) return [];
  return [
    "// Each process's connections as a suppression's remote conditions see them: all of them (the",
    "// untyped and FourToSixMapping ones too: Cipherwatch classifies those addresses itself), for the",
    "// processes that loaded a crypto library.",
    "let SuppressionMisses = DeviceNetworkEvents",
    "| where Timestamp > ago(Lookback)",
    '| where ActionType == "ConnectionSuccess"',
    '| where RemoteIPType in ("Public", "FourToSixMapping") or isempty(RemoteIPType)',
    "| join kind=leftsemi (CryptoLoads | distinct DeviceId, ProcessId, ProcessCreationTime)",
    "    on DeviceId, $left.InitiatingProcessId == $right.ProcessId, $left.InitiatingProcessCreationTime == $right.ProcessCreationTime",
    "| summarize",
    ...misses.map((miss, index) => `    ${miss.aggregation}${index < misses.length - 1 ? "," : ""}`),
    "    by DeviceId, ProcessId = InitiatingProcessId, ProcessCreationTime = InitiatingProcessCreationTime;",
  ];
}

const PROCESS_COLUMNS = "DeviceName, DeviceId, ProcessId, ProcessCreationTime, ProcessName, ProcessFolder, ProcessCmd, AccountName, ProcessSHA256, OutsideSystemFolder";

/** Step 3 of `detection`: the correlation, one row per process; then the suppressions. */
function detectionResult(tableHasBytes: boolean, suppressions: readonly CompiledSuppression[]): string[] {
  const misses = suppressions.flatMap((suppression) => (suppression.misses ? [suppression.misses] : []));
  return [
    "// Step 3: a crypto load followed by a connection of the same process within the window.",
    "CryptoLoads",
    `| join kind=inner (Connections) on ${PROCESS_KEY}`,
    "| where ConnTime between (LoadTime .. (LoadTime + CorrelationWindow))",
    "// One row per connection (Defender: DeviceId, Timestamp and ReportId identify an event), however many loads precede it.",
    "| summarize CryptoLibs = make_set(CryptoLib)",
    `    by ${PROCESS_COLUMNS}, ConnTime, ReportId, RemoteIP, RemotePort, RemoteUrl${tableHasBytes ? ", BytesSent, BytesReceived" : ""}`,
    "| summarize",
    "    CryptoLibsLoaded = make_set(CryptoLibs),",
    "    RemoteIPs = make_set(RemoteIP),",
    "    RemotePorts = make_set(RemotePort),",
    "    RemoteUrls = make_set_if(RemoteUrl, isnotempty(RemoteUrl)),",
    "    ConnectionCount = count(),",
    ...(tableHasBytes ? ["    TotalBytesSent = sum(BytesSent),", "    TotalBytesReceived = sum(BytesReceived),"] : []),
    "    FirstConnection = min(ConnTime),",
    "    LastConnection = max(ConnTime)",
    `    by ${PROCESS_COLUMNS}`,
    ...(tableHasBytes ? ["| extend DataTransferMB = round(toreal(TotalBytesSent + TotalBytesReceived) / 1048576, 2)"] : []),
    "| extend DurationMinutes = (LastConnection - FirstConnection) / 1m",
    "| extend AvgIntervalSeconds = iif(",
    "    ConnectionCount > 1,",
    "    ((LastConnection - FirstConnection) / 1s) / (ConnectionCount - 1),",
    "    0.0)",
    "| extend BeaconLikely = AvgIntervalSeconds between (30.0 .. 3600.0) and ConnectionCount >= 5",
    ...(suppressions.length > 0 ? ["// Step 4: Cipherwatch's suppressions."] : []),
    ...(misses.length > 0 ? [`| join kind=leftouter (SuppressionMisses) on ${PROCESS_KEY}`] : []),
    ...suppressions.flatMap((suppression) => [suppression.comment, `| where not(${suppression.predicate})`]),
    ...(misses.length > 0 ? [`| project-away ${[...misses.map((miss) => miss.column), ...JOINED_KEY_COLUMNS].join(", ")}`] : []),
    "| sort by ConnectionCount desc",
  ];
}

/**
 * Steps 3 and 4 of `series`: each process's series per destination address, with the loads before
 * it; then the suppressions, each over all of a process's series (an entry's remote conditions
 * must hold for every connection of the process, whichever series it is in).
 */
function seriesResult(tableHasBytes: boolean, suppressions: readonly CompiledSuppression[]): string[] {
  const aligned = `ConnectionTimes, ConnectionPorts, ConnectionUrls${tableHasBytes ? `, ${SERIES_BYTES_COLUMN}` : ""}`;
  const misses = suppressions.flatMap((suppression) => (suppression.misses ? [suppression.misses] : []));
  const perSeries = ["ConnectionTimes", "ConnectionPorts", "ConnectionUrls", ...(tableHasBytes ? [SERIES_BYTES_COLUMN] : [])];
  const candidates = [
    "CryptoLoads",
    `| join kind=inner (Series) on ${PROCESS_KEY}`,
    "| where LoadTime <= LastConnection",
    "| summarize",
    "    CryptoLoadTimes = make_list(LoadTime),",
    "    CryptoLibs = make_list(CryptoLib),",
    "    RemoteUrls = take_any(RemoteUrls),",
    ...perSeries.map((column, index) => `    ${column} = take_any(${column})${index < perSeries.length - 1 ? "," : ""}`),
    `    by ${PROCESS_COLUMNS}, RemoteIP, ConnectionCount, FirstConnection, LastConnection`,
    "| extend (CryptoLoadTimes, CryptoLibs) = array_sort_asc(CryptoLoadTimes, CryptoLibs)",
  ];
  const output = [`| project ${[...SERIES_COLUMNS, ...(tableHasBytes ? [SERIES_BYTES_COLUMN] : [])].join(", ")}`, "| sort by ConnectionCount desc"];
  return [
    "// Step 3: one series per process and destination address, its connections in time order.",
    "let Series = Connections",
    "| summarize",
    "    ConnectionTimes = make_list(ConnTime),",
    "    ConnectionPorts = make_list(RemotePort),",
    "    ConnectionUrls = make_list(RemoteUrl),",
    ...(tableHasBytes ? [`    ${SERIES_BYTES_COLUMN} = make_list(pack_array(BytesSent, BytesReceived)),`] : []),
    "    RemoteUrls = make_set_if(RemoteUrl, isnotempty(RemoteUrl)),",
    "    ConnectionCount = count(),",
    "    FirstConnection = min(ConnTime),",
    "    LastConnection = max(ConnTime)",
    "    by DeviceId, ProcessId, ProcessCreationTime, RemoteIP",
    `| extend (${aligned}) = array_sort_asc(${aligned});`,
    "// Step 4: the crypto loads of the same process before the series' last connection.",
    ...(suppressions.length === 0
      ? [...candidates, ...output]
      : [
          `let Candidates = ${candidates[0]}`,
          ...candidates.slice(1, -1),
          `${candidates.at(-1)};`,
          "// Step 5: Cipherwatch's suppressions, over each process's series together.",
          "let Suppressed = Candidates",
          `| summarize by ${PROCESS_COLUMNS}`,
          ...(misses.length > 0 ? [`| join kind=leftouter (SuppressionMisses) on ${PROCESS_KEY}`] : []),
          ...suppressions.flatMap((suppression, index) => [
            suppression.comment,
            `${index === 0 ? "| where" : "    or"} (${suppression.predicate})${index === suppressions.length - 1 ? ";" : ""}`,
          ]),
          "Candidates",
          `| join kind=leftanti (Suppressed) on ${PROCESS_KEY}`,
          ...output,
        ]),
  ];
}
