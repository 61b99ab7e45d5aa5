/**
 * A finding's report as Markdown, to paste into a ticket: what was flagged and why, the evidence,
 * the timeline numbers, the verdict and the notes. Pure.
 *
 * Every string from telemetry or from people (names, command lines, reasons, notes, tags) is
 * attacker-controlled, so none is written as Markdown: a one-line value goes in a code span and a
 * multi-line one in a fenced code block, each delimited by more backticks than the value's longest
 * run, so the value can neither close it nor become a link, image, HTML or heading. Only this
 * module's own words, enum labels and numbers are plain text. No tables: a value could break one.
 */
import { RULE_LABELS } from "../detection/default-detection";
import type { DefaultFindingSummary } from "../detection/finding-list";
import { formatSeconds } from "../detection/format-seconds";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import { SEED_QUERY_COLUMNS } from "./finding-export";
import { CLASSIFICATION_LABELS, STATUS_LABELS, type TriageDetail } from "./triage-state";

/** What the report needs of a finding (the store's FindingDetail has it). */
export type ReportedFinding = { mode: "kql"; id: string; row: SeedQueryRow } | { mode: "default"; id: string; finding: DefaultFindingSummary };

// A reduce, not Math.max(...runs): a long command line can hold more runs than a call takes arguments.
const longestBacktickRun = (value: string) => (value.match(/`+/g) ?? []).reduce((longest, run) => Math.max(longest, run.length), 0);

/**
 * A value as an inline code span (CommonMark): fenced by one backtick more than its longest run.
 * A space pads it when it starts or ends with a backtick (or starts and ends with a space, which
 * CommonMark would strip). Line breaks, which would end a heading or list item and let the rest
 * render as Markdown, are shown as the symbols ␍ and ␊.
 */
export function codeSpan(value: string): string {
  const text = value.replace(/\r/g, "␍").replace(/\n/g, "␊");
  if (text === "") return "(empty)";
  const fence = "`".repeat(longestBacktickRun(text) + 1);
  const stripped = text.startsWith(" ") && text.endsWith(" ") && !/^ +$/.test(text);
  const pad = text.startsWith("`") || text.endsWith("`") || stripped ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A value as a fenced code block: at least three backticks, and more than its longest run, so no line of it closes the block. */
export function codeBlock(value: string): string {
  const fence = "`".repeat(Math.max(3, longestBacktickRun(value) + 1));
  return `${fence}\n${value}\n${fence}`;
}

/** A value in a code span, or `absent` (this module's word) when there is none. */
const inline = (value: string | null | undefined, absent = "n/a") => (value ? codeSpan(value) : absent);
const inlineList = (values: readonly string[], absent = "none") => (values.length === 0 ? absent : values.map(codeSpan).join(", "));
const number = (value: number | null, absent = "n/a") => (value === null ? absent : String(value));
const score = (value: number | null) => (value === null ? "n/a" : value.toFixed(3));
const yesNo = (value: boolean) => (value ? "yes" : "no");
const interval = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? "n/a" : formatSeconds(seconds));

/** A labelled multi-line value: a paragraph, then its block (top level, so no list indentation can end it early). */
function labelledBlock(label: string, value: string | null, absent = "n/a"): string[] {
  return value ? [`${label}:`, "", codeBlock(value), ""] : [`${label}: ${absent}`, ""];
}

const bullets = (items: readonly string[]) => [...(items.length === 0 ? ["none"] : items).map((item) => `- ${item}`), ""];

/** The report's Markdown text. */
export function findingReport(detail: ReportedFinding, triage: TriageDetail): string {
  const lines = detail.mode === "kql" ? seedRowSections(detail.id, detail.row) : defaultFindingSections(detail.id, detail.finding);
  return [...lines, ...verdictSection(triage), ...notesSection(triage), "## History", "", historyLine(triage.history.length)].join("\n") + "\n";
}

function defaultFindingSections(id: string, finding: DefaultFindingSummary): string[] {
  const { process, connections, beacon } = finding;
  const parent = finding.parent ? `${codeSpan(finding.parent.fileName)}${finding.parent.processId === null ? "" : `, pid ${finding.parent.processId}`}` : "unknown";
  return [
    `# ${inline(process.processName, "(unnamed process)")} on ${inline(process.deviceName, "(unnamed device)")}: ${finding.severity} severity`,
    "",
    `Finding ${codeSpan(id)} (default detection), ${finding.confidence} confidence.`,
    "",
    "## What was flagged and why",
    "",
    "Rules:",
    "",
    ...bullets(finding.rules.map((rule) => RULE_LABELS[rule])),
    "Reasons:",
    "",
    ...bullets(finding.reasons.map((reason) => codeSpan(reason.text))),
    "Severity basis:",
    "",
    ...bullets(finding.severityBasis.map(codeSpan)),
    "## Evidence",
    "",
    ...bullets([
      `Process: ${inline(process.processName)}, pid ${process.processId}`,
      `Device: ${inline(process.deviceName)}`,
      `Created: ${inline(process.processCreationTime, "unknown")}`,
      `Account: ${inline(process.accountName)}`,
      `SHA256: ${inline(process.sha256)}`,
      `Folder: ${inline(process.folderPath, "unknown")}`,
      `Parent: ${parent}`,
      `Crypto libraries loaded: ${inlineList(finding.cryptoLibsLoaded)}`,
    ]),
    ...labelledBlock("Command line", process.commandLine),
    ...(finding.parent?.commandLine ? labelledBlock("Parent command line", finding.parent.commandLine) : []),
    "Destinations:",
    "",
    ...bullets(
      connections.destinations.map(
        (d) =>
          `${codeSpan(`${d.remoteIp}:${d.remotePort}`)}: ${d.connections} connections, beacon score ${score(d.beacon.score)}, median interval ${interval(d.beacon.medianIntervalSeconds)}`,
      ),
    ),
    "## Timeline",
    "",
    ...bullets([
      `First connection: ${inline(connections.firstConnection)}`,
      `Last connection: ${inline(connections.lastConnection)}`,
      `Connections: ${connections.count}`,
      `Median interval: ${interval(beacon?.medianIntervalSeconds)}`,
      `Beacon score: ${score(beacon?.score ?? null)}`,
      `Strong beacon: ${yesNo(finding.strongBeacon)}`,
    ]),
  ];
}

function seedRowSections(id: string, row: SeedQueryRow): string[] {
  const columns = SEED_QUERY_COLUMNS.filter((column) => column !== "ProcessCmd").map((column) => `${column}: ${seedCell(row[column])}`);
  return [
    `# ${inline(row.ProcessName, "(unnamed process)")} on ${inline(row.DeviceName, "(unnamed device)")}: seed query row`,
    "",
    `Finding ${codeSpan(id)} (seed query, the Sentinel parity mode). Beacon likely: ${yesNo(row.BeaconLikely)}.`,
    "",
    "## The seed query's row",
    "",
    ...bullets(columns),
    ...labelledBlock("ProcessCmd", row.ProcessCmd),
  ];
}

function seedCell(value: SeedQueryRow[keyof SeedQueryRow]): string {
  if (typeof value === "boolean") return yesNo(value);
  if (typeof value === "number" || value === null) return number(value);
  if (typeof value === "string") return inline(value);
  return value.length === 0 ? "none" : value.map((item) => (typeof item === "number" ? String(item) : codeSpan(item))).join(", ");
}

function verdictSection(triage: TriageDetail): string[] {
  return [
    "## Verdict",
    "",
    ...bullets([
      `Status: ${STATUS_LABELS[triage.status]}`,
      `Classification: ${triage.classification === null ? "none" : CLASSIFICATION_LABELS[triage.classification]}`,
      `Assignee: ${inline(triage.assignee, "nobody")}`,
      `Tags: ${inlineList(triage.tags)}`,
      ...(triage.reopened ? [`Reopened: ${codeSpan(triage.reopened)}`] : []),
    ]),
    ...labelledBlock("Reason", triage.reason, "none"),
  ];
}

function notesSection(triage: TriageDetail): string[] {
  if (triage.notes.length === 0) return ["## Notes", "", "No notes.", ""];
  return ["## Notes", "", ...triage.notes.flatMap((note, index) => labelledBlock(`Note ${index + 1}, by ${codeSpan(note.author)} at ${codeSpan(note.at)}`, note.text))];
}

const historyLine = (count: number) => (count === 1 ? "1 change recorded." : `${count} changes recorded.`);
