/**
 * The seed rule's correlation (../shared/seeds/000_*.txt, corrected as tuned-kql.ts corrects it)
 * as Sigma rules, with Cipherwatch's current lists compiled in (issue 14, "Exports that run in the
 * SIEM"): one YAML file of four documents, after the Sigma rules specification 2.0 and the Sigma
 * correlation rules specification 2.0 (SigmaHQ/sigma-specification).
 *
 * - two base rules, for Windows telemetry with Sysmon's field names (SigmaHQ's taxonomy):
 *   crypto library loads (`image_load`) and outbound connections to public addresses on
 *   non-standard ports (`network_connection`), each by a process whose image is not excluded;
 * - a `temporal_ordered` correlation: a load, then a connection of the same process (Computer and
 *   ProcessGuid) within the correlation window;
 * - an `event_count` correlation: 5 connections or more from one process to one address within
 *   4 hours, the count half of the seed's beacon test.
 * The correlations' descriptions say what Sigma cannot express and the rules therefore do not do.
 *
 * Every value from people (the lists) is escaped twice: for Sigma (sigmaLiteral: `*` and `?` are
 * wildcards, `\` escapes) and for YAML (yamlDoubleQuoted). Every string is written double-quoted,
 * except the correlations' descriptions: fixed text with no list value in it, as literal blocks.
 *
 * Pure: no I/O, no clock (the rules' `date` is an argument).
 */
import { DETECTION_LIST_LABELS, type DetectionLists } from "../detection/detection-lists";
import type { DetectionSettings } from "../detection/detection-settings";
import { SYSTEM_BINARIES } from "../detection/process-lineage";

export interface SigmaRuleInput {
  lists: DetectionLists;
  settings: Pick<DetectionSettings, "lookbackHours" | "correlationWindowMinutes">;
  /** The export's day, YYYY-MM-DD: the correlation rules' `date`. */
  date: string;
}

/** The lists, settings or date cannot make a rule (an empty crypto library list, a port out of range). */
export class SigmaExportError extends Error {}

export const SIGMA_EXPORT_FILE_NAME = "cipherwatch-t1573.001.yml";

/** Each rule's `name` (what the correlations refer to) and `id`: fixed, so a SIEM updates the rule it imported before. */
export const SIGMA_RULES = {
  cryptoLibraryLoad: { name: "cipherwatch_t1573_001_crypto_library_load", id: "25921747-61c8-41de-b2d5-c2a02c6f6f48" },
  outboundConnection: { name: "cipherwatch_t1573_001_outbound_nonstandard_port", id: "3a3a74ee-fe79-4b05-9812-f06546c94e6c" },
  loadThenConnect: { name: "cipherwatch_t1573_001_load_then_connect", id: "c69a7e25-8aec-433b-8637-e470aa7e97bc" },
  repeatedConnections: { name: "cipherwatch_t1573_001_repeated_connections", id: "5ee86e04-00ff-49e1-92f3-df7304e35cac" },
} as const;

/** The seed's beacon test: 5 connections or more, on average 30 s to 1 h apart. */
export const SEED_BEACON_MIN_CONNECTIONS = 5;
const SEED_BEACON_MAX_AVERAGE_INTERVAL_HOURS = 1;

/** 5 connections within 4 hours are at most 1 hour apart on average. */
export const REPEATED_CONNECTIONS_HOURS = (SEED_BEACON_MIN_CONNECTIONS - 1) * SEED_BEACON_MAX_AVERAGE_INTERVAL_HOURS;

/**
 * What Cipherwatch does not call public (lib/telemetry/classify-remote-address: every range
 * ipaddr.js 2.5 names, 255.255.255.255 being inside 240.0.0.0/4), but IPv4-mapped IPv6
 * (::ffff:0:0/96), which Cipherwatch classifies by the IPv4 address inside and Sigma cannot.
 */
export const NON_PUBLIC_CIDRS: readonly string[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.31.196.0/24",
  "192.52.193.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "192.175.48.0/24",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/128",
  "::1/128",
  "::ffff:0:0:0/96",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "2002::/16",
  "2620:4f:8000::/48",
  "3fff::/20",
  "5f00::/16",
  "fc00::/7",
  "fe80::/10",
  "fec0::/10",
  "ff00::/8",
];

const TAGS = ["attack.command-and-control", "attack.t1573.001"];
const REFERENCES = ["https://attack.mitre.org/techniques/T1573/001/"];

/** The seed rule's false positives. */
const FALSE_POSITIVES = [
  "Security agents (CrowdStrike, Carbon Black, SentinelOne, Cylance) that load crypto libraries to encrypt their own telemetry streams and communicate with backend cloud services",
  "Enterprise backup agents (Veeam, Commvault, Veritas) that perform AES-encrypted data transfers to off-site repositories on non-standard ports",
  "Software update mechanisms (Autodesk, Adobe, JetBrains) that use TLS on non-443 ports (e.g., 7443, 8444) and load bcrypt.dll as part of update verification",
  "VPN and proxy clients (Cisco AnyConnect, GlobalProtect, ZScaler) that load crypto libraries before establishing tunnels to public infrastructure",
  "Developer IDEs and language runtimes (Visual Studio, IntelliJ, Python interpreters) loading cryptographic libraries during normal operation",
];

// ---------------------------------------------------------------------------------------------
// Escaping

/**
 * Characters written as an escape: the two YAML's double-quoted style escapes, controls (a line
 * break would fold into a space), format characters (bidirectional overrides, zero-width
 * characters and the BOM could make the rule read differently from what it does), line and
 * paragraph separators, lone surrogates, and U+FFFE and U+FFFF (outside YAML's printable set).
 */
const YAML_ESCAPED = /[\\"\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFFFE\uFFFF]/gu;

/** A YAML double-quoted scalar whose value is exactly `value`. */
export function yamlDoubleQuoted(value: string): string {
  return `"${value.replace(YAML_ESCAPED, yamlEscape)}"`;
}

function yamlEscape(character: string): string {
  if (character === "\\") return "\\\\";
  if (character === '"') return '\\"';
  if (character === "\n") return "\\n";
  if (character === "\t") return "\\t";
  if (character === "\r") return "\\r";
  const codePoint = character.codePointAt(0)!;
  const hex = codePoint.toString(16).toUpperCase();
  return codePoint > 0xffff ? `\\U${hex.padStart(8, "0")}` : `\\u${hex.padStart(4, "0")}`;
}

/**
 * A Sigma string that matches `value` literally. Sigma reads `*` and `?` as wildcards and `\` as
 * escaping them or itself; a `\` before any other character stands for itself. So a wildcard is
 * written `\*` or `\?`, and a backslash `\\` where it comes before a backslash, a wildcard or the
 * end (after which the caller may append a wildcard), else as itself: `C:\Windows` stays readable.
 */
export function sigmaLiteral(value: string): string {
  let text = "";
  for (let index = 0; index < value.length; index++) {
    const character = value[index];
    if (character === "*" || character === "?") text += `\\${character}`;
    else if (character === "\\") text += index + 1 === value.length || "\\*?".includes(value[index + 1]) ? "\\\\" : "\\";
    else text += character;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// The rules as values

/** Fixed text written as a YAML literal block (`|-`): printable ASCII lines, no user values. */
export class LiteralBlock {
  constructor(readonly text: string) {
    const lines = text.split("\n");
    if (lines.some((line) => !/^[\x20-\x7e]*$/.test(line) || line.endsWith(" ")) || lines[0] === "" || lines[0].startsWith(" ") || text.endsWith("\n")) {
      throw new Error("A literal block holds lines of printable ASCII, the first not blank or indented, none ending in a space.");
    }
  }
}

export type YamlValue = string | number | LiteralBlock | readonly (string | number)[] | YamlMapping;
export interface YamlMapping {
  readonly [key: string]: YamlValue;
}

/** The four rules, in the file's order: the two base rules, then the correlations. */
export function sigmaRuleDocuments(input: SigmaRuleInput): YamlMapping[] {
  const windowMinutes = positiveInteger(input.settings.correlationWindowMinutes, "correlationWindowMinutes");
  const lookbackHours = positiveInteger(input.settings.lookbackHours, "lookbackHours");
  const date = isoDate(input.date);
  const cryptoLibraries = uniqueIgnoringCase(input.lists.cryptoLibraries);
  if (cryptoLibraries.length === 0) {
    throw new SigmaExportError(`The ${DETECTION_LIST_LABELS.cryptoLibraries.title} list is empty: a Sigma rule cannot select loads of no library.`);
  }
  const exclusions = exclusionFilters(input.lists);
  const ports = standardPorts(input.lists.standardPorts);
  const meta = { status: "experimental", references: REFERENCES, author: "Cipherwatch", date, tags: TAGS };

  const cryptoLibraryLoad: YamlMapping = {
    title: "Crypto library loaded by a process not excluded (T1573.001)",
    id: SIGMA_RULES.cryptoLibraryLoad.id,
    name: SIGMA_RULES.cryptoLibraryLoad.name,
    description:
      "A Windows crypto library on Cipherwatch's list loaded by a process whose image is not excluded: the first event of the load-then-connect correlation, not meant to alert alone.",
    logsource: { category: "image_load", product: "windows" },
    detection: {
      selection: { "ImageLoaded|endswith": cryptoLibraries.map((name) => sigmaLiteral(`\\${name}`)) },
      ...exclusions,
      condition: condition(exclusions),
    },
  };

  const networkFilters: Record<string, YamlMapping> = {
    ...(ports.length > 0 ? { filter_standard_port: { DestinationPort: ports } } : {}),
    filter_non_public_destination: { "DestinationIp|cidr": NON_PUBLIC_CIDRS },
    ...exclusions,
  };
  const outboundConnection: YamlMapping = {
    title: "Outbound connection to a public address on a non-standard port (T1573.001)",
    id: SIGMA_RULES.outboundConnection.id,
    name: SIGMA_RULES.outboundConnection.name,
    description:
      "An outbound connection to an address outside the listed non-public ranges, on a port not on Cipherwatch's standard ports, by a process whose image is not excluded: the events the correlations count, not meant to alert alone.",
    logsource: { category: "network_connection", product: "windows" },
    detection: { selection: { Initiated: "true" }, ...networkFilters, condition: condition(networkFilters) },
  };

  const loadThenConnect: YamlMapping = {
    title: "Crypto library load followed by an outbound connection on a non-standard port (T1573.001)",
    id: SIGMA_RULES.loadThenConnect.id,
    name: SIGMA_RULES.loadThenConnect.name,
    status: meta.status,
    description: new LiteralBlock(loadThenConnectDescription(windowMinutes, lookbackHours)),
    references: meta.references,
    author: meta.author,
    date: meta.date,
    tags: meta.tags,
    correlation: {
      type: "temporal_ordered",
      rules: [SIGMA_RULES.cryptoLibraryLoad.name, SIGMA_RULES.outboundConnection.name],
      "group-by": ["Computer", "ProcessGuid"],
      timespan: `${windowMinutes}m`,
      // Both rules: the default for temporal correlations, written out for the JSON schema, which requires a condition.
      condition: { gte: 2 },
    },
    falsepositives: FALSE_POSITIVES,
    level: "low",
  };

  const repeatedConnections: YamlMapping = {
    title: "Repeated outbound connections from one process to one public address on non-standard ports (T1573.001)",
    id: SIGMA_RULES.repeatedConnections.id,
    name: SIGMA_RULES.repeatedConnections.name,
    status: meta.status,
    description: new LiteralBlock(repeatedConnectionsDescription(lookbackHours)),
    references: meta.references,
    author: meta.author,
    date: meta.date,
    tags: meta.tags,
    correlation: {
      type: "event_count",
      rules: [SIGMA_RULES.outboundConnection.name],
      "group-by": ["Computer", "ProcessGuid", "DestinationIp"],
      timespan: `${REPEATED_CONNECTIONS_HOURS}h`,
      condition: { gte: SEED_BEACON_MIN_CONNECTIONS },
    },
    falsepositives: FALSE_POSITIVES,
    level: "low",
  };

  return [cryptoLibraryLoad, outboundConnection, loadThenConnect, repeatedConnections];
}

/** The Sigma file: the four rules as one multi-document YAML text. */
export function sigmaRuleYaml(input: SigmaRuleInput): string {
  return sigmaRuleDocuments(input)
    .map((document) => `${yamlMappingLines(document, 0).join("\n")}\n`)
    .join("---\n");
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new SigmaExportError(`${name} must be a positive whole number, not ${value}.`);
  return value;
}

function isoDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!day || day.toISOString().slice(0, 10) !== value) throw new SigmaExportError(`The rule's date must be a day written YYYY-MM-DD, not ${JSON.stringify(value)}.`);
  return value;
}

/** First spelling of each value, compared as Sigma compares: ignoring case. */
function uniqueIgnoringCase(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function standardPorts(ports: readonly number[]): number[] {
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SigmaExportError(`A standard port must be a whole number from 0 to 65535, not ${port}.`);
  }
  return [...new Set(ports)];
}

/**
 * As tuned-kql.ts: the browsers and the excluded names that are no Windows system binary's are
 * excluded wherever the image is (its path ends with `\name`); an excluded system binary's name
 * only on an image in one of its own folders (its full path, `*` standing for the Defender
 * Platform folder's version folder).
 */
function exclusionFilters(lists: DetectionLists): Record<string, YamlMapping> {
  const systemBinary = (name: string) => SYSTEM_BINARIES.find((binary) => binary.name.toLowerCase() === name.toLowerCase());
  const anywhere = uniqueIgnoringCase([...lists.excludedSystemProcesses.filter((name) => !systemBinary(name)), ...lists.excludedBrowsers]);
  const anywhereKeys = new Set(anywhere.map((name) => name.toLowerCase()));
  const atHome = uniqueIgnoringCase(lists.excludedSystemProcesses)
    .filter((name) => !anywhereKeys.has(name.toLowerCase()))
    .flatMap((name) => {
      const binary = systemBinary(name);
      if (!binary) return [];
      return binary.folders.map((folder) =>
        folder.endsWith("\\*") ? `${sigmaLiteral(folder.slice(0, -1))}*${sigmaLiteral(`\\${binary.name}`)}` : sigmaLiteral(`${folder}\\${binary.name}`),
      );
    });
  return {
    ...(anywhere.length > 0 ? { filter_excluded_anywhere: { "Image|endswith": anywhere.map((name) => sigmaLiteral(`\\${name}`)) } } : {}),
    ...(atHome.length > 0 ? { filter_system_binary_in_its_folder: { Image: atHome } } : {}),
  };
}

function condition(filters: Record<string, unknown>): string {
  return Object.keys(filters).length > 0 ? "selection and not 1 of filter_*" : "selection";
}

// ---------------------------------------------------------------------------------------------
// What the correlations say of themselves

const PROCESS_AND_EXCLUSIONS = [
  "For Windows image load and network connection events with Sysmon's field names. A process is",
  "its Computer and ProcessGuid, so a reused process id does not inherit another process's",
  "events. An excluded name that is a Windows system binary's is excluded only on an image in",
  "that binary's own folder (the same name elsewhere is a masquerade and stays); other excluded",
  "names are excluded wherever the image is.",
];

const CANNOT_EXPRESS = "What Sigma cannot express, so this rule does not do it:";

function sharedLimitations(lookbackHours: number): string[] {
  return [
    `- The lookback: Cipherwatch looks back ${lookbackHours} h. A Sigma rule has no search period: the`,
    "  SIEM's schedule sets it.",
    "- Successful connections only: Sysmon's network connection event has no outcome, so the rule",
    "  cannot keep successful ones as the seed does (ActionType ConnectionSuccess): every attempt",
    "  logged counts.",
    "- Public addresses: the rule calls public every address outside the listed ranges, which are",
    "  all Cipherwatch does not call public but ::ffff:0:0/96 (IPv4 written as IPv6): Sigma cannot",
    "  read the IPv4 address inside, so a private one written that way counts as public.",
    "- Process creation time: Sysmon's image load and network events carry none, so the rule cannot",
    "  join on process id and creation time as Cipherwatch does with Defender telemetry. On other",
    "  sources map ProcessGuid to a key as unique: a process id alone would let a reused id",
    "  inherit another process's events.",
    "- Windows elsewhere: system binaries are excluded at fixed paths under C:\\Windows,",
    "  C:\\ProgramData and C:\\Program Files; on a system installed elsewhere they stay in (more",
    "  matches, not fewer). In Defender's Platform folder * matches any depth of folders, not one.",
    "- Suppressions: not compiled in. Their remote conditions hold only when every destination of",
    "  a finding matches, a condition on all of a process's connections that no filter on one",
    "  event states, and they expire.",
    "- Lab mode (private and loopback destinations) is not reflected.",
  ];
}

function loadThenConnectDescription(windowMinutes: number, lookbackHours: number): string {
  return [
    `A process loads a Windows crypto library, then within ${windowMinutes} minutes connects out to a`,
    "public address on a non-standard port: the seed Sentinel rule for T1573.001 (symmetric",
    "cryptography C2) as Cipherwatch corrects it, with Cipherwatch's current lists. Implants using",
    "AES, RC4 or DES do this; so does much background software, so Cipherwatch rates it low alone.",
    ...PROCESS_AND_EXCLUSIONS,
    CANNOT_EXPRESS,
    "- Each connection once: a match says that a load preceded a connection. It does not list the",
    "  process's connections, count each once however many loads preceded it, or sum their bytes",
    "  (Sysmon reports none), as Cipherwatch's findings do.",
    "- Beaconing: Cipherwatch scores the process's connections in the lookback for beaconing",
    "  (RITA's scores, periodicity, the seed's 30 s to 1 h average interval). Sigma counts events",
    `  only: see ${SIGMA_RULES.repeatedConnections.name}.`,
    "- Severity: Cipherwatch raises or lowers it with beaconing, lineage, command-line indicators",
    "  and fleet rarity; this level is the correlation's alone.",
    "- Order and time buckets: some SIEMs evaluate correlations in fixed time buckets, or without",
    "  enforcing order (Sigma's compatibility notes): expect misses across bucket edges, and",
    "  matches where the connection came first.",
    ...sharedLimitations(lookbackHours),
  ].join("\n");
}

function repeatedConnectionsDescription(lookbackHours: number): string {
  const count = SEED_BEACON_MIN_CONNECTIONS;
  const hours = REPEATED_CONNECTIONS_HOURS;
  const maxInterval = SEED_BEACON_MAX_AVERAGE_INTERVAL_HOURS;
  return [
    `${count} outbound connections or more from one process to one public address on non-standard`,
    `ports within ${hours} hours: the count half of the seed rule's beacon test (${count} connections or`,
    `more, on average 30 s to ${maxInterval} h apart), with Cipherwatch's current lists: ${count} connections`,
    `within ${hours} hours are at most ${maxInterval} h apart on average. Like Cipherwatch's beacon-only rule it`,
    "needs no crypto library load; a process that also matches",
    `${SIGMA_RULES.loadThenConnect.name} is worth a look.`,
    ...PROCESS_AND_EXCLUSIONS,
    CANNOT_EXPRESS,
    "- The interval test: Sigma counts events, so neither the seed's 30 s lower bound nor any",
    "  regularity is tested (Cipherwatch scores each series with RITA's scores and a periodicity",
    `  measure): a burst of ${count} connections in a second matches, and a series averaging under`,
    `  ${maxInterval} h with no ${hours} hours holding ${count} connections does not.`,
    "- Each connection once: the count is of events, so a connection logged twice (overlapping",
    "  collection) counts twice, where Cipherwatch stores each event once.",
    "- Time buckets: some SIEMs count in fixed time buckets (Sigma's compatibility notes): expect",
    "  misses across bucket edges.",
    ...sharedLimitations(lookbackHours),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// YAML text, indented by 4 spaces as Sigma rules are

const INDENT = "    ";
const KEY = /^[A-Za-z_][A-Za-z0-9_|.-]*$/;

function yamlMappingLines(mapping: YamlMapping, depth: number): string[] {
  const indent = INDENT.repeat(depth);
  return Object.entries(mapping).flatMap(([key, value]) => {
    if (!KEY.test(key)) throw new Error(`Not a plain YAML key: ${JSON.stringify(key)}`);
    if (value instanceof LiteralBlock) return [`${indent}${key}: |-`, ...value.text.split("\n").map((line) => (line === "" ? "" : `${indent}${INDENT}${line}`))];
    if (Array.isArray(value)) {
      if (value.length === 0) throw new Error(`An empty list for ${key}: leave the key out.`);
      return [`${indent}${key}:`, ...value.map((item: string | number) => `${indent}${INDENT}- ${yamlScalar(item)}`)];
    }
    if (typeof value === "object") return [`${indent}${key}:`, ...yamlMappingLines(value as YamlMapping, depth + 1)];
    return [`${indent}${key}: ${yamlScalar(value)}`];
  });
}

function yamlScalar(value: string | number): string {
  if (typeof value === "string") return yamlDoubleQuoted(value);
  if (!Number.isSafeInteger(value)) throw new Error(`Not a whole number: ${value}`);
  return String(value);
}
