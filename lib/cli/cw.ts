/**
 * `npm run cw -- <command>`: Cipherwatch's command line. Same code paths as the web app.
 *   ingest FILE...                 store Defender exports, report per file, rerun detection
 *   detect [--mode default|kql] [--json] [--as-of ISO|newest] [--lab|--no-lab]
 *   demo-files DIR                 write the demo exports to DIR
 *   seed-demo                      load the demo exports into an empty database
 *   datasets [--json]              list the datasets
 *   user …, token …, first-run     accounts and ingest tokens (account-commands)
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { demoFiles } from "../demo/demo-files";
import { decodeFileChunks } from "../ingest/decode-upload";
import { TelemetryFileError } from "../ingest/telemetry-file-error";
import { parseIsoTimestamp } from "../telemetry/iso-timestamp";
import { listDatasets } from "../server/dataset-store";
import { prisma } from "../server/db";
import { bumpRequestedGeneration, readDetectionSettings, writeAsOfOverride, writeDetectionSettings } from "../server/detection-settings";
import { allFindings, findingCount } from "../server/findings-store";
import { ingestTelemetryStream, ingestTelemetryText } from "../server/ingest-upload";
import { runDetection } from "../server/run-detection";
import { ACCOUNT_USAGE, firstRun, tokenCommand, UsageError, userCommand } from "./account-commands";

const USAGE = `usage: npm run cw -- <command>
  ingest FILE...                         store Defender Advanced Hunting exports (CSV, API JSON, NDJSON)
  detect [--mode default|kql] [--json] [--as-of ISO|newest] [--lab|--no-lab]
                                         rerun detection and print the findings; --lab (stored as a
                                         setting) includes loopback and private destinations
  demo-files DIR                         write the demo exports to DIR
  seed-demo                              load the demo exports when the database is empty
  datasets [--json]                      list the datasets (cleans up uploads cut off by a crash)
${ACCOUNT_USAGE}`;

async function ingest(files: string[]): Promise<number> {
  if (files.length === 0) throw new UsageError("ingest needs at least one FILE");
  let failures = 0;
  let completed = 0;
  for (const file of files) {
    // Checked before a dataset is opened: a typo or a folder (an unpacked zip's __MACOSX) must not stop the others.
    const unreadable = unreadableReason(file);
    if (unreadable) {
      failures++;
      console.error(`${file}: ${unreadable}; skipped.`);
      continue;
    }
    try {
      const chunks = decodeFileChunks(file, MAX_CLI_FILE_BYTES);
      const result = await ingestTelemetryStream(path.basename(file), chunks, `cli:${userInfo().username}`);
      console.log(`${file}: ${result.table} (${result.format}), ${result.accepted} stored, ${result.rejected} rejected, ${result.duplicates} already stored, ${result.ignored} ignored`);
      for (const error of result.errors) console.log(`  ${error.line === null ? "" : `line ${error.line}: `}${error.message}`);
      completed++;
    } catch (error) {
      if (!(error instanceof TelemetryFileError)) throw error;
      failures++;
      console.error(`${file}: ${error.message}`);
    }
  }
  // Every stored file recorded a change, even one whose rows were all stored already.
  if (completed > 0) await rerunDetection();
  return failures === 0 ? 0 : 1;
}

/**
 * One run after every file, not one per file. Storing each file recorded its change (the devices
 * it touched), so a server beside this CLI sees the run's findings are current.
 */
async function rerunDetection(): Promise<void> {
  const run = await runDetection();
  console.log(`detection: ${findingCount(run, "default")} finding(s), ${findingCount(run, "kql")} seed-query row(s)`);
}

function unreadableReason(file: string): string | null {
  try {
    return statSync(file).isFile() ? null : "not a file (a folder? pass the files in it)";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `cannot be read (${(error as Error).message})`;
  }
}

const detectOptionsSchema = z.object({
  mode: z.enum(["default", "kql"], { error: "--mode must be default or kql" }).default("default"),
  json: z.boolean().default(false),
  lab: z.boolean().optional(),
  "no-lab": z.boolean().optional(),
  "as-of": z
    .string()
    .refine((value) => value === "newest" || parseIsoTimestamp(value) !== null, { error: "--as-of takes an ISO 8601 time or 'newest'" })
    .optional(),
});

async function detect(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { mode: { type: "string" }, json: { type: "boolean" }, "as-of": { type: "string" }, lab: { type: "boolean" }, "no-lab": { type: "boolean" } },
  });
  const options = detectOptionsSchema.parse(values);
  if (options["as-of"] !== undefined) {
    await writeAsOfOverride(options["as-of"] === "newest" ? null : parseIsoTimestamp(options["as-of"])!.text);
  }
  if (options.lab || options["no-lab"]) {
    await writeDetectionSettings({ ...(await readDetectionSettings()), labMode: options.lab === true });
    console.error(`lab mode ${options.lab ? "on" : "off"} (stored in the detection settings)`);
  }
  await bumpRequestedGeneration("everything");
  const run = await runDetection();
  for (const device of run.skippedDevices) {
    console.error(`warning: ${device.deviceName} was not analysed: its ${device.events} events do not fit in this process's heap (raise --max-old-space-size)`);
  }
  if (options.mode === "kql") {
    if (options.json) return printJsonArray(allFindings("kql", run));
    console.log(`KQL-compatible mode, as of ${run.asOf ?? "(no events)"} (${run.asOfSource}): ${findingCount(run, "kql")} finding(s)`);
    for (const rows of allFindings("kql", run)) {
      for (const row of rows) {
        console.log(`${row.BeaconLikely ? "BEACON " : "       "} ${row.DeviceName}  ${row.ProcessName}  connections=${row.ConnectionCount}  avg=${row.AvgIntervalSeconds.toFixed(1)}s  ${row.RemoteIPs.join(" ")}`);
      }
    }
    return 0;
  }
  if (options.json) return printJsonArray(allFindings("default", run));
  console.log(`Default mode, as of ${run.asOf ?? "(no events)"} (${run.asOfSource}): ${findingCount(run, "default")} finding(s)`);
  for (const findings of allFindings("default", run)) {
    for (const finding of findings) {
      const beacon = finding.beacon ? `beacon=${finding.beacon.score.toFixed(3)}` : "beacon=n/a";
      console.log(`${finding.severity.padEnd(8)} ${finding.confidence.padEnd(6)} ${finding.process.deviceName}  ${finding.process.processName} (pid ${finding.process.processId})  ${beacon}  ${finding.rules.join(",")}`);
    }
  }
  return 0;
}

async function printDatasets(json: boolean): Promise<number> {
  const datasets = await listDatasets();
  if (json) return printJson(datasets);
  for (const d of datasets) console.log(`${d.status.padEnd(8)} ${d.fileName}  ${d.accepted} stored, ${d.rejected} rejected, ${d.duplicates} already stored  (${d.uploadedBy}, ${d.uploadedAt})`);
  if (datasets.length === 0) console.log("no datasets");
  return 0;
}

function printJson(value: unknown): number {
  console.log(JSON.stringify(value, null, 2));
  return 0;
}

/** Prints what `printJson` prints for the whole array, a slice at a time (findings can be many). */
function printJsonArray(slices: Iterable<unknown[]>): number {
  let opened = false;
  for (const items of slices) {
    for (const item of items) {
      process.stdout.write(`${opened ? ",\n" : "[\n"}${JSON.stringify(item, null, 2).replace(/^/gm, "  ")}`);
      opened = true;
    }
  }
  process.stdout.write(opened ? "\n]\n" : "[]\n");
  return 0;
}

async function seedDemo(): Promise<number> {
  if ((await prisma.dataset.count()) > 0) {
    console.log("seed-demo: the database already holds data; demo not loaded.");
    return 0;
  }
  for (const file of demoFiles()) {
    const result = await ingestTelemetryText(`demo/${file.name}`, file.text, "cli:seed-demo");
    console.log(`seed-demo: ${file.name}: ${result.accepted} events`);
  }
  await rerunDetection();
  return 0;
}

function writeDemoFiles(directory: string | undefined): number {
  if (!directory) throw new UsageError("demo-files needs a DIR");
  mkdirSync(directory, { recursive: true });
  const files = demoFiles();
  for (const file of files) writeFileSync(path.join(directory, file.name), file.text);
  console.log(`wrote ${files.length} demo exports to ${directory}`);
  return 0;
}

/** Files are streamed; the bound only stops a mistaken path (or a gzip bomb) clearly. */
const MAX_CLI_FILE_BYTES = 64 * 1024 ** 3;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "ingest":
      return ingest(rest);
    case "detect":
      return detect(rest);
    case "seed-demo":
      return seedDemo();
    case "datasets":
      return printDatasets(rest.includes("--json"));
    case "demo-files":
      return writeDemoFiles(rest[0]);
    case "user":
      return userCommand(rest);
    case "token":
      return tokenCommand(rest);
    case "first-run":
      return firstRun();
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  }
}

main(process.argv.slice(2))
  .then((code) => (process.exitCode = code))
  .catch((error) => {
    if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
    else if (error instanceof z.ZodError) console.error(error.issues.map((issue) => issue.message).join("\n"));
    else console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  })
  .finally(() => prisma.$disconnect());
