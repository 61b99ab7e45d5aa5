/**
 * The Sigma export: the exact text for a small hand-built input (golden/sigma-small.yml, written
 * by hand), both escapes case by case and read back as YAML and Sigma read them, hostile list
 * values through the whole file, the rules' structure against the correlation specification, and
 * the non-public ranges against Cipherwatch's own classification of addresses.
 *
 * No YAML parser is a dependency of the project: YAML's double-quoted style and Sigma's string
 * escaping are decoded here by small readers written from the two specifications.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { SEED_QUERY_LISTS, type DetectionLists } from "../detection/detection-lists";
import { SYSTEM_BINARIES } from "../detection/process-lineage";
import { classifyRemoteAddress } from "../telemetry/classify-remote-address";
import {
  LiteralBlock,
  NON_PUBLIC_CIDRS,
  REPEATED_CONNECTIONS_HOURS,
  SEED_BEACON_MIN_CONNECTIONS,
  SIGMA_RULES,
  SigmaExportError,
  sigmaLiteral,
  sigmaRuleDocuments,
  sigmaRuleYaml,
  yamlDoubleQuoted,
  type SigmaRuleInput,
  type YamlMapping,
} from "./sigma-rule";

const SMALL_INPUT: SigmaRuleInput = {
  lists: {
    cryptoLibraries: ["bcrypt.dll", "ncrypt.dll"],
    excludedSystemProcesses: ["svchost.exe", "MsMpEng.exe", "VeeamAgent.exe"],
    excludedBrowsers: ["chrome.exe"],
    standardPorts: [443, 8443],
  },
  settings: { lookbackHours: 12, correlationWindowMinutes: 5 },
  date: "2026-11-27",
};

const withLists = (lists: Partial<DetectionLists>): SigmaRuleInput => ({ ...SMALL_INPUT, lists: { ...SMALL_INPUT.lists, ...lists } });

// ---------------------------------------------------------------------------------------------
// Readers written from the specifications, to read the output back

/** YAML 1.2's double-quoted style (section 7.3.1, escapes 5.7) for one scalar on one line. */
function readYamlDoubleQuoted(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) throw new Error(`Not double-quoted: ${text}`);
  const inner = text.slice(1, -1);
  const simple: Record<string, string> = { "0": "\0", a: "\x07", b: "\b", t: "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029" };
  let value = "";
  for (let index = 0; index < inner.length; index++) {
    const character = inner[index];
    if (character === '"') throw new Error(`An unescaped quote ends the scalar early: ${text}`);
    // A line break or a character outside YAML's printable set, written as itself.
    if (/[\x00-\x08\x0a-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]/.test(character)) throw new Error(`Raw U+${character.charCodeAt(0).toString(16)} in ${text}`);
    if (character !== "\\") {
      value += character;
      continue;
    }
    const escape = inner[++index];
    const digits = { x: 2, u: 4, U: 8 }[escape as "x" | "u" | "U"];
    if (digits) {
      const hex = inner.slice(index + 1, index + 1 + digits);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== digits) throw new Error(`Bad \\${escape} escape in ${text}`);
      value += escape === "U" ? String.fromCodePoint(parseInt(hex, 16)) : String.fromCharCode(parseInt(hex, 16));
      index += digits;
    } else if (escape in simple) value += simple[escape];
    else throw new Error(`Unknown escape \\${escape} in ${text}`);
  }
  return value;
}

type SigmaPart = string | { wildcard: "*" | "?" };

/** A Sigma string as the rules specification's "Escaping" section (and pySigma's SigmaString) reads it. */
function readSigmaString(text: string): SigmaPart[] {
  const parts: SigmaPart[] = [];
  let plain = "";
  let escaped = false;
  for (const character of text) {
    if (escaped) {
      plain += character === "*" || character === "?" || character === "\\" ? character : `\\${character}`;
      escaped = false;
    } else if (character === "\\") escaped = true;
    else if (character === "*" || character === "?") {
      if (plain) parts.push(plain);
      parts.push({ wildcard: character });
      plain = "";
    } else plain += character;
  }
  if (escaped) plain += "\\";
  if (plain) parts.push(plain);
  return parts;
}

/** A deterministic stream of strings over an alphabet of troublemakers. */
function* fuzzStrings(count: number, alphabet: readonly string[]): Generator<string> {
  let seed = 20261127;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let produced = 0; produced < count; produced++) {
    let text = "";
    const length = Math.floor(next() * 12);
    for (let index = 0; index < length; index++) text += alphabet[Math.floor(next() * alphabet.length)];
    yield text;
  }
}

const HOSTILE_CHARACTERS = [
  "a", "Z", "\\", "*", "?", '"', "'", "#", ":", " ", "-", "{", "}", "[", "]", "&", "!", "%", "|", ">", "\n", "\r", "\t", "\0",
  "\x7f", "\x85", "\xa0", "é", "\u200b", "\u202e", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ud800", "\udfff", "😀", "\u{e0001}",
];

// ---------------------------------------------------------------------------------------------

describe("sigmaRuleYaml", () => {
  it("writes the small hand-built input exactly as the golden file", () => {
    const golden = readFileSync(path.join(__dirname, "golden", "sigma-small.yml"), "utf8");
    expect(sigmaRuleYaml(SMALL_INPUT)).toBe(golden);
  });

  it("is four YAML documents separated by ---, each ending with a line break", () => {
    const text = sigmaRuleYaml({ ...SMALL_INPUT, lists: SEED_QUERY_LISTS });
    expect(text.split("\n---\n")).toHaveLength(4);
    expect(text.endsWith("\n")).toBe(true);
    expect(text.startsWith("title: ")).toBe(true);
  });

  it("is the same text for the same input (no clock)", () => {
    expect(sigmaRuleYaml(SMALL_INPUT)).toBe(sigmaRuleYaml(structuredClone(SMALL_INPUT)));
  });

  it("writes every line as a key, a list item, a literal block line or a document separator", () => {
    const text = sigmaRuleYaml({ ...SMALL_INPUT, lists: SEED_QUERY_LISTS });
    let inBlock: string | null = null;
    for (const line of text.slice(0, -1).split("\n")) {
      if (inBlock !== null && (line === "" || line.startsWith(inBlock))) continue;
      inBlock = null;
      if (line === "---") continue;
      const entry = /^((?: {4})*)(?:[A-Za-z_][A-Za-z0-9_|.-]*:(?: (?:"(?:[^"\\]|\\.)*"|\d+|\|-))?|- (?:"(?:[^"\\]|\\.)*"|\d+))$/.exec(line);
      expect(entry, line).not.toBeNull();
      if (line.endsWith(": |-")) inBlock = `${entry![1]}    `;
    }
  });
});

describe("yamlDoubleQuoted", () => {
  it.each([
    ["plain", String.raw`"plain"`],
    ["", String.raw`""`],
    ['say "hi"', String.raw`"say \"hi\""`],
    ["C:\\Windows", String.raw`"C:\\Windows"`],
    ["\\\\", String.raw`"\\\\"`],
    ["line\nbreak", String.raw`"line\nbreak"`],
    ["carriage\rreturn", String.raw`"carriage\rreturn"`],
    ["tab\there", String.raw`"tab\there"`],
    ["# not a comment", String.raw`"# not a comment"`],
    ["key: value", String.raw`"key: value"`],
    ["- not an item", String.raw`"- not an item"`],
    ["{ not: a map }", String.raw`"{ not: a map }"`],
    ["[not, a, list]", String.raw`"[not, a, list]"`],
    ["'single'", String.raw`"'single'"`],
    ["*alias &anchor !tag %directive @ ` |- >", String.raw`"*alias &anchor !tag %directive @ ` + "`" + String.raw` |- >"`],
    ["wild*card?", String.raw`"wild*card?"`],
    ["nul\0", String.raw`"nul\u0000"`],
    ["bell\x07 escape\x1b delete\x7f", String.raw`"bell\u0007 escape\u001B delete\u007F"`],
    ["next\x85line", String.raw`"next\u0085line"`],
    ["line\u2028separator paragraph\u2029separator", String.raw`"line\u2028separator paragraph\u2029separator"`],
    ["\ufeffbom", String.raw`"\uFEFFbom"`],
    ["right-to-left \u202Eexe.txt", String.raw`"right-to-left \u202Eexe.txt"`],
    ["zero\u200bwidth", String.raw`"zero\u200Bwidth"`],
    ["lone \ud800 surrogate", String.raw`"lone \uD800 surrogate"`],
    ["not characters \ufffe\uffff", String.raw`"not characters \uFFFE\uFFFF"`],
    ["tag \u{e0001} character", String.raw`"tag \U000E0001 character"`],
    ["café 😀 no-break\xa0space", '"café 😀 no-break\xa0space"'],
  ])("writes %j as %s", (value, quoted) => {
    expect(yamlDoubleQuoted(value)).toBe(quoted);
    expect(readYamlDoubleQuoted(quoted)).toBe(value);
  });

  it("reads back as the value for every fuzzed string", () => {
    for (const value of fuzzStrings(3000, HOSTILE_CHARACTERS)) expect(readYamlDoubleQuoted(yamlDoubleQuoted(value))).toBe(value);
  });
});

describe("sigmaLiteral", () => {
  it.each([
    ["chrome.exe", "chrome.exe"],
    ["\\chrome.exe", "\\chrome.exe"],
    ["C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\svchost.exe"],
    ["star*.exe", "star\\*.exe"],
    ["what?.exe", "what\\?.exe"],
    ["\\*evil", "\\\\\\*evil"],
    ["x\\?", "x\\\\\\?"],
    ["two\\\\back", "two\\\\\\back"],
    ["ends\\", "ends\\\\"],
    ["%placeholder%", "%placeholder%"],
  ])("writes %j as %j", (value, sigma) => {
    expect(sigmaLiteral(value)).toBe(sigma);
    expect(readSigmaString(sigma)).toEqual([value]);
  });

  it("reads back as the value, with no wildcard, for every fuzzed string", () => {
    for (const value of fuzzStrings(3000, ["\\", "*", "?", "a", "%", "\\\\"])) {
      expect(readSigmaString(sigmaLiteral(value))).toEqual(value === "" ? [] : [value]);
    }
  });

  it("can be followed by a wildcard: a trailing backslash is escaped", () => {
    expect(readSigmaString(`${sigmaLiteral("C:\\Platform\\")}*${sigmaLiteral("\\MsMpEng.exe")}`)).toEqual(["C:\\Platform\\", { wildcard: "*" }, "\\MsMpEng.exe"]);
  });
});

describe("hostile list values", () => {
  const HOSTILE_NAMES = [
    'evil"quote.exe',
    "new\nline.exe",
    "star*.exe",
    "what?.exe",
    "back\\slash.exe",
    "trailing\\",
    "\\*",
    "# hash.exe",
    "key: value.exe",
    "-lead.exe",
    "{brace}.exe",
    "\u202Egnp.exe",
    "tab\there.exe",
    "\ufeffbom.exe",
    "line\u2028sep.exe",
    "'single'.exe",
    "%placeholder%.exe",
    "nul\0.exe",
  ];

  it("are escaped for Sigma, then for YAML, exactly", () => {
    const text = sigmaRuleYaml(withLists({ excludedSystemProcesses: [], excludedBrowsers: HOSTILE_NAMES }));
    const block = [
      "    filter_excluded_anywhere:",
      "        Image|endswith:",
      String.raw`            - "\\evil\"quote.exe"`,
      String.raw`            - "\\new\nline.exe"`,
      String.raw`            - "\\star\\*.exe"`,
      String.raw`            - "\\what\\?.exe"`,
      String.raw`            - "\\back\\slash.exe"`,
      String.raw`            - "\\trailing\\\\"`,
      String.raw`            - "\\\\\\\\\\*"`,
      String.raw`            - "\\# hash.exe"`,
      String.raw`            - "\\key: value.exe"`,
      String.raw`            - "\\-lead.exe"`,
      String.raw`            - "\\{brace}.exe"`,
      String.raw`            - "\\\u202Egnp.exe"`,
      String.raw`            - "\\tab\there.exe"`,
      String.raw`            - "\\\uFEFFbom.exe"`,
      String.raw`            - "\\line\u2028sep.exe"`,
      String.raw`            - "\\'single'.exe"`,
      String.raw`            - "\\%placeholder%.exe"`,
      String.raw`            - "\\nul\u0000.exe"`,
      '    condition: "selection and not 1 of filter_*"',
    ].join("\n");
    // Once in each base rule.
    expect(text.split(block)).toHaveLength(3);
  });

  it("read back, through YAML then Sigma, as a backslash and the name, matched literally", () => {
    const documents = sigmaRuleDocuments(withLists({ excludedSystemProcesses: [], excludedBrowsers: HOSTILE_NAMES, cryptoLibraries: HOSTILE_NAMES }));
    const text = sigmaRuleYaml(withLists({ excludedSystemProcesses: [], excludedBrowsers: HOSTILE_NAMES, cryptoLibraries: HOSTILE_NAMES }));
    const load = documents[0].detection as YamlMapping;
    for (const values of [(load.selection as YamlMapping)["ImageLoaded|endswith"], (load.filter_excluded_anywhere as YamlMapping)["Image|endswith"]]) {
      expect((values as string[]).map((value) => readSigmaString(value))).toEqual(HOSTILE_NAMES.map((name) => [`\\${name}`]));
    }
    const itemLines = text.split("\n").filter((line) => line.startsWith("            - ") && !/^ +- \d+$/.test(line));
    for (const line of itemLines) expect(() => readYamlDoubleQuoted(line.slice("            - ".length))).not.toThrow();
    expect(itemLines.map((line) => readYamlDoubleQuoted(line.slice("            - ".length)))).toEqual(
      expect.arrayContaining(HOSTILE_NAMES.map((name) => sigmaLiteral(`\\${name}`))),
    );
  });

  it("cannot end a line, a list or a document early: the four documents and their keys survive", () => {
    const text = sigmaRuleYaml(withLists({ excludedBrowsers: ["x\n---\ntitle: injected", "y\ncondition: selection"] }));
    expect(text.split("\n---\n")).toHaveLength(4);
    expect(text.match(/^ *condition:/gm)).toHaveLength(4);
    expect(text).not.toMatch(/^title: injected/m);
  });
});

describe("sigmaRuleDocuments: the rules", () => {
  const documents = sigmaRuleDocuments({ ...SMALL_INPUT, lists: SEED_QUERY_LISTS });
  const [load, connection, loadThenConnect, repeated] = documents;
  const correlation = (document: YamlMapping) => document.correlation as YamlMapping;

  it("names each rule once, with a version 4 UUID, and the correlations refer exactly to the base rules", () => {
    const names = documents.map((document) => document.name);
    expect(new Set(names).size).toBe(4);
    expect(new Set(documents.map((document) => document.id)).size).toBe(4);
    for (const document of documents) {
      expect(document.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(document.name).toMatch(/^[a-z_][a-z0-9_]*$/);
    }
    const baseNames = [load.name, connection.name];
    expect(baseNames).toEqual([SIGMA_RULES.cryptoLibraryLoad.name, SIGMA_RULES.outboundConnection.name]);
    expect(correlation(loadThenConnect).rules).toEqual(baseNames);
    expect(correlation(repeated).rules).toEqual([connection.name]);
    const referenced = new Set([...(correlation(loadThenConnect).rules as string[]), ...(correlation(repeated).rules as string[])]);
    expect([...referenced].sort()).toEqual([...baseNames].sort());
  });

  it("correlates a load then a connection of one process, and counts connections per process and address", () => {
    expect(correlation(loadThenConnect)).toEqual({
      type: "temporal_ordered",
      rules: [SIGMA_RULES.cryptoLibraryLoad.name, SIGMA_RULES.outboundConnection.name],
      "group-by": ["Computer", "ProcessGuid"],
      timespan: "5m",
      condition: { gte: 2 },
    });
    expect(correlation(repeated)).toEqual({
      type: "event_count",
      rules: [SIGMA_RULES.outboundConnection.name],
      "group-by": ["Computer", "ProcessGuid", "DestinationIp"],
      timespan: "4h",
      condition: { gte: 5 },
    });
    expect(SEED_BEACON_MIN_CONNECTIONS).toBe(5);
    expect(REPEATED_CONNECTIONS_HOURS).toBe(4);
  });

  it.each([1, 5, 15, 90, 1440])("sets the load-then-connect timespan to a %i-minute correlation window", (minutes) => {
    const [, , temporal] = sigmaRuleDocuments({ ...SMALL_INPUT, settings: { lookbackHours: 24, correlationWindowMinutes: minutes } });
    expect(correlation(temporal).timespan).toBe(`${minutes}m`);
    expect((temporal.description as LiteralBlock).text).toContain(`then within ${minutes} minutes connects out`);
  });

  it("keeps the meta information to the correlations, as the correlation specification asks", () => {
    for (const base of [load, connection]) {
      expect(Object.keys(base)).toEqual(["title", "id", "name", "description", "logsource", "detection"]);
    }
    for (const top of [loadThenConnect, repeated]) {
      expect(top).toMatchObject({
        status: "experimental",
        author: "Cipherwatch",
        date: "2026-11-27",
        tags: ["attack.command-and-control", "attack.t1573.001"],
        level: "low",
        references: ["https://attack.mitre.org/techniques/T1573/001/"],
      });
      expect((top.title as string).length).toBeLessThanOrEqual(256);
    }
  });

  it("reads Sysmon's image load and network connection events", () => {
    expect(load.logsource).toEqual({ category: "image_load", product: "windows" });
    expect(connection.logsource).toEqual({ category: "network_connection", product: "windows" });
    const detection = connection.detection as YamlMapping;
    expect(detection.selection).toEqual({ Initiated: "true" });
    expect(detection.filter_standard_port).toEqual({ DestinationPort: SEED_QUERY_LISTS.standardPorts });
    expect(detection.filter_non_public_destination).toEqual({ "DestinationIp|cidr": NON_PUBLIC_CIDRS });
    expect(detection.condition).toBe("selection and not 1 of filter_*");
  });

  it("says in each correlation's description what Sigma cannot express", () => {
    for (const top of [loadThenConnect, repeated]) {
      const text = (top.description as LiteralBlock).text;
      expect(text).toContain("What Sigma cannot express, so this rule does not do it:");
      for (const topic of ["- The lookback: Cipherwatch looks back 12 h.", "- Successful connections only:", "- Public addresses:", "- Process creation time:", "- Windows elsewhere:", "- Suppressions:", "- Lab mode", "- Each connection once:"]) {
        expect(text).toContain(topic);
      }
    }
    expect((loadThenConnect.description as LiteralBlock).text).toContain("- Beaconing:");
    expect((repeated.description as LiteralBlock).text).toContain("- The interval test:");
  });
});

describe("sigmaRuleDocuments: the exclusions", () => {
  const loadDetection = (input: SigmaRuleInput) => sigmaRuleDocuments(input)[0].detection as YamlMapping;

  it("excludes a system binary's name only at its own folders' full paths, in the spelling Windows uses", () => {
    const detection = loadDetection(withLists({ excludedSystemProcesses: ["SVCHOST.EXE", "WmiPrvSE.exe"], excludedBrowsers: [] }));
    expect(detection).toEqual({
      selection: { "ImageLoaded|endswith": ["\\bcrypt.dll", "\\ncrypt.dll"] },
      filter_system_binary_in_its_folder: {
        Image: [
          "C:\\Windows\\System32\\svchost.exe",
          "C:\\Windows\\SysWOW64\\svchost.exe",
          "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
          "C:\\Windows\\SysWOW64\\wbem\\WmiPrvSE.exe",
        ],
      },
      condition: "selection and not 1 of filter_*",
    });
  });

  it("writes the Defender Platform folder's version folder as a wildcard after an escaped backslash", () => {
    const paths = (loadDetection(withLists({ excludedSystemProcesses: ["NisSrv.exe"], excludedBrowsers: [] })).filter_system_binary_in_its_folder as YamlMapping).Image as string[];
    expect(paths).toEqual(["C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\\\*\\NisSrv.exe", "C:\\Program Files\\Windows Defender\\NisSrv.exe"]);
    expect(readSigmaString(paths[0])).toEqual(["C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\", { wildcard: "*" }, "\\NisSrv.exe"]);
  });

  it("writes one full path per folder of every excluded system binary of the seed's list", () => {
    const paths = (loadDetection(withLists({ excludedSystemProcesses: SEED_QUERY_LISTS.excludedSystemProcesses })).filter_system_binary_in_its_folder as YamlMapping).Image as string[];
    const expected = SEED_QUERY_LISTS.excludedSystemProcesses.reduce((count, name) => count + SYSTEM_BINARIES.find((binary) => binary.name === name)!.folders.length, 0);
    expect(paths).toHaveLength(expected);
  });

  it("excludes browsers and other names wherever the image is, a browser even when a system binary has its name", () => {
    const detection = loadDetection(withLists({ excludedSystemProcesses: ["VeeamAgent.exe", "veeamagent.EXE"], excludedBrowsers: ["explorer.exe", "Chrome.exe"] }));
    expect(detection.filter_excluded_anywhere).toEqual({ "Image|endswith": ["\\VeeamAgent.exe", "\\explorer.exe", "\\Chrome.exe"] });
    expect(detection.filter_system_binary_in_its_folder).toBeUndefined();
  });

  it("leaves out filters with nothing to filter", () => {
    const input = withLists({ excludedSystemProcesses: [], excludedBrowsers: [], standardPorts: [] });
    const [load, connection] = sigmaRuleDocuments(input);
    expect(load.detection).toEqual({ selection: { "ImageLoaded|endswith": ["\\bcrypt.dll", "\\ncrypt.dll"] }, condition: "selection" });
    expect(Object.keys(connection.detection as YamlMapping)).toEqual(["selection", "filter_non_public_destination", "condition"]);
  });

  it("writes each value once, compared ignoring case as Sigma compares", () => {
    const detection = loadDetection(withLists({ cryptoLibraries: ["bcrypt.dll", "BCRYPT.DLL"], standardPorts: [443, 443] }));
    expect(detection.selection).toEqual({ "ImageLoaded|endswith": ["\\bcrypt.dll"] });
    expect((sigmaRuleDocuments(withLists({ standardPorts: [443, 443] }))[1].detection as YamlMapping).filter_standard_port).toEqual({ DestinationPort: [443] });
  });
});

describe("sigmaRuleDocuments: what cannot make a rule", () => {
  it("refuses an empty crypto library list: Sigma cannot select loads of no library", () => {
    expect(() => sigmaRuleDocuments(withLists({ cryptoLibraries: [] }))).toThrow(SigmaExportError);
    expect(() => sigmaRuleDocuments(withLists({ cryptoLibraries: [] }))).toThrow("The Crypto libraries list is empty");
  });

  it.each([443.5, -1, 65536, Number.NaN])("refuses the standard port %s", (port) => {
    expect(() => sigmaRuleDocuments(withLists({ standardPorts: [port] }))).toThrow(SigmaExportError);
  });

  it.each(["2026-02-30", "2026-2-3", "27/11/2026", "2026-11-27T00:00:00Z", ""])("refuses the date %j", (date) => {
    expect(() => sigmaRuleDocuments({ ...SMALL_INPUT, date })).toThrow(SigmaExportError);
  });

  it.each([
    { lookbackHours: 0, correlationWindowMinutes: 15 },
    { lookbackHours: 24, correlationWindowMinutes: 0 },
    { lookbackHours: 24, correlationWindowMinutes: 2.5 },
  ])("refuses the settings %j", (settings) => {
    expect(() => sigmaRuleDocuments({ ...SMALL_INPUT, settings })).toThrow(SigmaExportError);
  });

  it("accepts only fixed text of printable ASCII lines as a literal block", () => {
    expect(() => new LiteralBlock("fine\n- and fine")).not.toThrow();
    for (const text of ["trailing \nspace", " indented first", "\nblank first", "ends\n", "tab\there", "é"]) {
      expect(() => new LiteralBlock(text), JSON.stringify(text)).toThrow();
    }
  });
});

describe("NON_PUBLIC_CIDRS", () => {
  type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
  const specialRanges = (prototype: object) =>
    Object.entries((prototype as { SpecialRanges: Record<string, Range | Range[]> }).SpecialRanges).flatMap(([name, value]) =>
      (Array.isArray(value[0]) ? (value as Range[]) : [value as Range]).map((range) => ({ name, cidr: `${range[0].toString()}/${range[1]}` })),
    );
  const SPECIAL = [...specialRanges(ipaddr.IPv4.prototype), ...specialRanges(ipaddr.IPv6.prototype)];
  const within = (address: string, cidr: string) => {
    const parsed = ipaddr.parse(address);
    const range = ipaddr.parseCIDR(cidr);
    return parsed.kind() === range[0].kind() && parsed.match(range);
  };
  const listed = (address: string) => NON_PUBLIC_CIDRS.some((cidr) => within(address, cidr));

  it("is every range ipaddr.js names (what Cipherwatch does not call public) but IPv4-mapped IPv6, and nothing else", () => {
    const inside = (inner: Range, outer: Range) => inner[0].kind() === outer[0].kind() && inner[1] >= outer[1] && inner[0].match(outer);
    const key = ([address, bits]: Range) => `${address.toNormalizedString()}/${bits}`;
    const listedRanges = NON_PUBLIC_CIDRS.map((cidr) => ipaddr.parseCIDR(cidr));
    const special = SPECIAL.filter(({ name }) => name !== "ipv4Mapped").map(({ name, cidr }) => ({ name, range: ipaddr.parseCIDR(cidr) }));
    // Each listed range is one ipaddr.js names, written once.
    for (const range of listedRanges) expect(special.map(({ range: other }) => key(other)), key(range)).toContain(key(range));
    expect(new Set(listedRanges.map(key)).size).toBe(listedRanges.length);
    // Each range ipaddr.js names is listed, or inside one listed (255.255.255.255 in 240.0.0.0/4, Teredo in 2001::/23).
    for (const { name, range } of special) expect(listedRanges.some((listed) => inside(range, listed)), `${name} ${key(range)}`).toBe(true);
    // And IPv4-mapped IPv6 is not.
    expect(listedRanges.some((listed) => inside(ipaddr.parseCIDR("::ffff:0:0/96"), listed))).toBe(false);
  });

  it("writes each range by its network address, both ends of it not public to Cipherwatch", () => {
    for (const cidr of NON_PUBLIC_CIDRS) {
      const [address, bits] = ipaddr.parseCIDR(cidr);
      const network = address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
      const broadcast = address.kind() === "ipv4" ? ipaddr.IPv4.broadcastAddressFromCIDR(cidr) : ipaddr.IPv6.broadcastAddressFromCIDR(cidr);
      expect(network.toNormalizedString(), cidr).toBe(address.toNormalizedString());
      expect(bits).toBeGreaterThan(0);
      expect(classifyRemoteAddress(network.toString()), cidr).not.toBe("Public");
      expect(classifyRemoteAddress(broadcast.toString()), cidr).not.toBe("Public");
    }
  });

  it("leaves public addresses out, and (as the descriptions say) private IPv4 written as IPv6", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.32.0.1", "2606:4700:4700::1111", "2a00:1450::1"]) {
      expect(classifyRemoteAddress(address), address).toBe("Public");
      expect(listed(address), address).toBe(false);
    }
    expect(classifyRemoteAddress("::ffff:10.0.0.1")).toBe("Private");
    expect(listed("::ffff:10.0.0.1")).toBe(false);
  });
});
