/**
 * Our parser against two independent EVTX readers, record by record and field by field, on the
 * real Sysmon logs in ../shared/samples (read in place, never copied):
 * - python-evtx's evtx_dump.py (Debian python3-evtx; run with /usr/bin/python3, which has it);
 * - libevtx's `evtxexport -f xml` (Debian libevtx-utils).
 * CI installs both; a missing tool fails the test rather than skipping it.
 *
 * Only spelling is normalised, as the tools print the same values differently:
 * - GUIDs: python-evtx and we print lowercase (as the other Sysmon forms carry them), libevtx uppercase;
 * - booleans: python-evtx prints "True"/"False", libevtx and we "true"/"false";
 * - TimeCreated: we keep all 7 digits of the 100 ns FILETIME ("...51.8046383Z"); libevtx prints 9
 *   ("...51.804638300Z"); python-evtx prints microseconds ("2020-10-20 11:50:51.804638") that it
 *   computes through a double (ticks * 1e-7 - 11644473600, then rounds half to even), which can be
 *   off by a microsecond or two. Our ticks are put through that same arithmetic and compared exactly.
 * Both escape "<", ">" and "&" in element text; python-evtx also writes every non-ASCII character
 * as a character reference and escapes attribute values, which libevtx writes raw. So element text
 * is entity-decoded for both, attribute values for python-evtx only.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EvtxStreamParser, type EvtxItem } from "./evtx-stream-parser";

const SAMPLES = path.resolve(__dirname, "../../../../shared/samples");
const SAMPLE_FILES = ["sysmon-uacme-64.evtx", "sysmon-panache-atomic-red-team.evtx"];
const SYSTEM_FIELDS = ["EventID", "Computer", "TimeCreated", "Channel", "ProviderName", "SourceName", "EventRecordID"];

interface OracleEvent {
  EventRecordID: string;
  EventID: string;
  TimeCreated: string;
  Computer: string;
  Channel: string;
  ProviderName: string;
  /** Data items in order, as [Name, text]. */
  data: [string, string][];
}

interface Oracle {
  name: string;
  command: string;
  args: (file: string) => string[];
  decodeAttribute: (value: string) => string;
  /** Our FILETIME ticks as this oracle prints them. */
  time: (ticks: bigint) => string;
}

const ORACLES: Oracle[] = [
  {
    name: "evtx_dump.py",
    command: "/usr/bin/python3",
    args: (file) => ["/usr/bin/evtx_dump.py", file],
    decodeAttribute: decodeXmlText,
    time: pythonEvtxTime,
  },
  {
    name: "evtxexport",
    command: "evtxexport",
    args: (file) => ["-f", "xml", file],
    decodeAttribute: (value) => value,
    time: (ticks) => `${isoSeconds(ticks)}.${String(ticks % 10_000_000n).padStart(7, "0")}00Z`,
  },
];

function runOracle(oracle: Oracle, file: string): string {
  try {
    return execFileSync(oracle.command, oracle.args(file), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT"
        ? `${oracle.command} is not installed: apt-get install python3-evtx libevtx-utils`
        : `${oracle.name} failed on ${file}: ${(error as { stderr?: string }).stderr ?? error}`,
    );
  }
}

/** The events of an oracle's XML dump; regular expressions suffice for the fields compared. */
function oracleEvents(xml: string, decodeAttribute: (value: string) => string): OracleEvent[] {
  const element = (event: string, name: string) => {
    const match = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}>)`).exec(event);
    return match ? decodeXmlText(match[1] ?? "") : "";
  };
  const attribute = (event: string, name: string, attributeName: string) => {
    const match = new RegExp(`<${name}\\s[^>]*?${attributeName}="([^"]*)"`).exec(event);
    return match ? decodeAttribute(match[1]) : "";
  };
  return xml
    .split(/<Event[\s>]/)
    .slice(1)
    .map((event) => ({
      EventRecordID: element(event, "EventRecordID"),
      EventID: element(event, "EventID"),
      TimeCreated: attribute(event, "TimeCreated", "SystemTime"),
      Computer: element(event, "Computer"),
      Channel: element(event, "Channel"),
      ProviderName: attribute(event, "Provider", "Name"),
      data: [...event.matchAll(/<Data Name="([^"]*)"(?:\/>|>([\s\S]*?)<\/Data>)/g)].map((match): [string, string] => [decodeAttribute(match[1]), decodeXmlText(match[2] ?? "")]),
    }));
}

function decodeXmlText(text: string): string {
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, reference: string) =>
    reference.startsWith("#x") ? String.fromCodePoint(parseInt(reference.slice(2), 16)) : reference.startsWith("#") ? String.fromCodePoint(parseInt(reference.slice(1), 10)) : named[reference],
  );
}

/** FILETIME ticks of our "YYYY-MM-DDTHH:MM:SS.fffffffZ". */
function ticksOf(time: string): bigint {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{7})Z$/.exec(time);
  if (!match) throw new Error(`not a 7-digit UTC time: ${time}`);
  return (BigInt(Date.parse(`${match[1]}Z`) / 1000) + 11_644_473_600n) * 10_000_000n + BigInt(match[2]);
}

function isoSeconds(ticks: bigint): string {
  return new Date(Number(ticks / 10_000_000n - 11_644_473_600n) * 1000).toISOString().slice(0, 19);
}

/** python-evtx's rendering: datetime.utcfromtimestamp(float(ticks) * 1e-7 - 11644473600).isoformat(" "). */
function pythonEvtxTime(ticks: bigint): string {
  const seconds = Number(ticks) * 1e-7 - 11_644_473_600;
  let whole = Math.trunc(seconds);
  const scaled = (seconds - whole) * 1e6;
  let micros = Math.round(scaled);
  if (Math.abs(scaled - micros) === 0.5) micros = 2 * Math.round(scaled / 2); // CPython rounds half to even
  if (micros >= 1_000_000) {
    micros -= 1_000_000;
    whole += 1;
  }
  const iso = new Date(whole * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${micros === 0 ? "" : `.${String(micros).padStart(6, "0")}`}`;
}

/** Spelling differences only: GUID case and boolean capitalisation. */
function normalise(value: string): string {
  if (/^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/.test(value)) return value.toUpperCase();
  if (value === "True" || value === "False") return value.toLowerCase();
  return value;
}

function parseWhole(bytes: Uint8Array): EvtxItem[] {
  const parser = new EvtxStreamParser();
  return [...parser.push(bytes), ...parser.end()];
}

describe.each(SAMPLE_FILES)("%s against python-evtx and libevtx", (fileName) => {
  const file = path.join(SAMPLES, fileName);

  it.each(ORACLES.map((oracle) => [oracle.name, oracle] as const))("matches %s on every record and field", (_, oracle) => {
    const items = parseWhole(readFileSync(file));
    expect(items.filter((item) => item.kind === "damage")).toEqual([]);
    const ours = items.flatMap((item) => (item.kind === "record" ? [item.record] : []));
    const theirs = oracleEvents(runOracle(oracle, file), oracle.decodeAttribute);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.length).toBe(theirs.length);

    const mismatches: string[] = [];
    ours.forEach((record, index) => {
      const oracleEvent = theirs[index];
      const differ = (field: string, our: string | undefined, their: string) => {
        if (our === undefined || normalise(our) !== normalise(their)) {
          mismatches.push(`EventRecordID ${record.EventRecordID} ${field}: ours ${JSON.stringify(our)}, ${oracle.name} ${JSON.stringify(their)}`);
        }
      };
      for (const field of ["EventRecordID", "EventID", "Computer", "Channel", "ProviderName"] as const) differ(field, record[field], oracleEvent[field]);
      differ("SourceName", record.SourceName, oracleEvent.ProviderName);
      differ("TimeCreated", record.TimeCreated && oracle.time(ticksOf(record.TimeCreated)), oracleEvent.TimeCreated);
      const dataNames = new Set<string>();
      for (const [name, text] of oracleEvent.data) {
        if (dataNames.has(name) || SYSTEM_FIELDS.includes(name)) continue;
        dataNames.add(name);
        differ(`Data ${name}`, record[name], text);
      }
      for (const field of Object.keys(record)) {
        if (!SYSTEM_FIELDS.includes(field) && !dataNames.has(field)) differ(`Data ${field}`, record[field], "(no such Data)");
      }
    });
    expect(mismatches).toEqual([]);
  }, 60_000);
});
