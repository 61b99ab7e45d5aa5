/**
 * .evtx parsing throughput (MB/s, records/s) of our stream parser, beside libevtx's
 * `evtxexport -f xml` and python-evtx's `evtx_dump.py` on the same file, all measured in this run.
 * Numbers only: nothing here passes or fails on timing.
 *
 * The two samples are 1.1 MB each, too small for a stable figure and small enough that process
 * start-up (python's ~100 ms) would dominate, so their used chunks are repeated into one valid
 * ~64 MB file (untimed), read once by each tool. MB here is 10^6 bytes.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { crc32 } from "../ingest/evtx/crc32";
import { CHUNK_SIZE } from "../ingest/evtx/evtx-chunk";
import { EvtxStreamParser, FILE_HEADER_SIZE, type EvtxItem } from "../ingest/evtx/evtx-stream-parser";

const SAMPLES = path.resolve(import.meta.dirname, "../../../shared/samples");
const SAMPLE_FILES = ["sysmon-uacme-64.evtx", "sysmon-panache-atomic-red-team.evtx"];
const TARGET_BYTES = 64 * 1024 * 1024;
// python-evtx reads only 0.15-0.2 MB/s, so it gets the first eighth of the file (~8 MB, under a minute).
const PYTHON_SHARE = 8;
const EVTXEXPORT = "evtxexport";
const PYTHON = "/usr/bin/python3"; // not `python3`: a pyenv one first on PATH may lack the Evtx module
const EVTX_DUMP = "/usr/bin/evtx_dump.py";

interface Run {
  seconds: number;
  records: number;
  bytes: number;
}

/** The used chunks of every sample (zero-filled slots after the last one left out). */
function sampleChunks(): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const name of SAMPLE_FILES) {
    const file = readFileSync(path.join(SAMPLES, name));
    for (let offset = FILE_HEADER_SIZE; offset + CHUNK_SIZE <= file.length; offset += CHUNK_SIZE) {
      if (file.toString("latin1", offset, offset + 8) === "ElfChnk\0") chunks.push(file.subarray(offset, offset + CHUNK_SIZE));
    }
  }
  return chunks;
}

/**
 * Writes a valid .evtx of `count` chunks cycled from `chunks`, with the file header of the first
 * sample made to match (so no tool stops at a stale chunk count or reports a bad header checksum).
 * Record numbers repeat from one cycle to the next; that does not matter for throughput.
 */
function writeEvtx(file: string, chunks: Uint8Array[], count: number): number {
  const header = Buffer.from(readFileSync(path.join(SAMPLES, SAMPLE_FILES[0])).subarray(0, FILE_HEADER_SIZE));
  header.writeBigUInt64LE(0n, 8); // first chunk number
  header.writeBigUInt64LE(BigInt(count - 1), 16); // last chunk number
  const lastRecord = Math.max(...chunks.map((chunk) => Number(Buffer.from(chunk).readBigUInt64LE(16))));
  header.writeBigUInt64LE(BigInt(lastRecord + 1), 24); // next record number
  header.writeUInt16LE(count, 42); // number of chunks
  header.writeUInt32LE(0, 120); // flags: clean, not full
  header.writeUInt32LE(crc32(header, 0, 120) >>> 0, 124);
  const body = Array.from({ length: count }, (_, index) => chunks[index % chunks.length]);
  writeFileSync(file, Buffer.concat([header, ...body]));
  return statSync(file).size;
}

/** Our parser, fed from disk in 64 KiB pieces as an upload would feed it. */
async function runOurs(file: string): Promise<Run> {
  const started = performance.now();
  const parser = new EvtxStreamParser();
  let records = 0;
  let damage = 0;
  const count = (items: EvtxItem[]) => {
    for (const item of items) {
      if (item.kind === "record") records++;
      else damage++;
    }
  };
  for await (const piece of createReadStream(file, { highWaterMark: 65536 })) count(parser.push(piece as Buffer));
  count(parser.end());
  const seconds = (performance.now() - started) / 1000;
  if (damage > 0) console.log(`  (our parser reported ${damage} damage items)`);
  return { seconds, records, bytes: statSync(file).size };
}

/**
 * Runs a dumper with its XML piped back and discarded, counting `<Event ` openings as its records;
 * null, after saying why, when the program is missing (with its apt package) or fails.
 */
function runTool(command: string, args: string[], file: string, aptPackage: string): Promise<Run | null> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, [...args, file], { stdio: ["ignore", "pipe", "pipe"] });
    const needle = Buffer.from("<Event ");
    let records = 0;
    let carry = Buffer.alloc(0); // the tail of the last piece, for an opening cut in two
    child.stdout.on("data", (piece: Buffer) => {
      const text = Buffer.concat([carry, piece]);
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) records++;
      carry = text.subarray(Math.max(0, text.length - needle.length + 1));
    });
    let stderr = "";
    child.stderr.on("data", (piece: Buffer) => (stderr += piece.toString()));
    let missing = false;
    child.on("error", () => {
      missing = true;
      console.log(`${command} missing (apt package ${aptPackage}): not measured`);
    });
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (missing) resolve(null);
      else if (code !== 0) {
        console.log(`  ${command} exited with ${code}: ${stderr.trim().split("\n").slice(-2).join(" / ")}`);
        resolve(null);
      } else resolve({ seconds, records, bytes: statSync(file).size });
    });
  });
}

function report(label: string, run: Run) {
  const mbPerSecond = run.bytes / 1e6 / run.seconds;
  const recordsPerSecond = Math.round(run.records / run.seconds).toLocaleString("en-US");
  console.log(`${label.padEnd(26)} ${(run.bytes / 1e6).toFixed(1).padStart(5)} MB ${run.records.toLocaleString("en-US").padStart(7)} records ${run.seconds.toFixed(2).padStart(6)} s ${mbPerSecond.toFixed(2).padStart(6)} MB/s ${recordsPerSecond.padStart(9)} records/s`);
}

const rate = (run: Run) => run.bytes / run.seconds;

export async function runEvtxBench(): Promise<void> {
  console.log("\n== .evtx parsing (our parser beside libevtx and python-evtx, same file) ==");
  if (!SAMPLE_FILES.every((name) => existsSync(path.join(SAMPLES, name)))) {
    console.log(`samples missing in ${SAMPLES}: skipped`);
    return;
  }
  const directory = mkdtempSync(path.join(tmpdir(), "cw-evtx-bench-"));
  try {
    const chunks = sampleChunks();
    const chunkCount = Math.ceil(TARGET_BYTES / CHUNK_SIZE);
    const bigFile = path.join(directory, "bench.evtx");
    const pythonFile = path.join(directory, "bench-python.evtx");
    const bytes = writeEvtx(bigFile, chunks, chunkCount);
    writeEvtx(pythonFile, chunks, Math.ceil(chunkCount / PYTHON_SHARE));
    console.log(`file: ${(bytes / 1e6).toFixed(1)} MB, ${chunkCount} chunks (the ${chunks.length} used chunks of the two samples, cycled; written before timing)`);

    // Three runs, the median reported: ours is quick enough to repeat.
    const runs: Run[] = [];
    for (let index = 0; index < 3; index++) runs.push(await runOurs(bigFile));
    const ours = runs.sort((a, b) => a.seconds - b.seconds)[1];
    report("ours (median of 3)", ours);

    const libevtx = await runTool(EVTXEXPORT, ["-f", "xml"], bigFile, "libevtx-utils");
    if (libevtx) report("evtxexport -f xml", libevtx);

    if (!existsSync(EVTX_DUMP)) console.log(`${EVTX_DUMP} missing (apt package python3-evtx): not measured`);
    const python = existsSync(EVTX_DUMP) ? await runTool(PYTHON, [EVTX_DUMP], pythonFile, "python3-evtx") : null;
    if (python) report(`evtx_dump.py (1/${PYTHON_SHARE} of file)`, python);

    // An honest comparison needs every tool to have read every record it was given.
    if (libevtx) console.log(`records read: ours ${ours.records.toLocaleString("en-US")}, evtxexport ${libevtx.records.toLocaleString("en-US")}: ${libevtx.records === ours.records ? "same" : "DIFFERENT"}`);
    if (python) {
      const oursOnPython = await runOurs(pythonFile);
      console.log(`records read on the python file: ours ${oursOnPython.records.toLocaleString("en-US")}, evtx_dump.py ${python.records.toLocaleString("en-US")}: ${python.records === oursOnPython.records ? "same" : "DIFFERENT"}`);
    }
    console.log("");
    if (libevtx) console.log(`ours / evtxexport: ${(rate(ours) / rate(libevtx)).toFixed(2)}x libevtx's rate (MB/s)`);
    if (python) console.log(`ours / evtx_dump.py: ${(rate(ours) / rate(python)).toFixed(2)}x python-evtx's rate (MB/s)`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
