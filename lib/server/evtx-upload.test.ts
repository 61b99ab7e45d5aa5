/**
 * Integration: raw Windows event logs (.evtx) uploaded as they are, through the real decoding and
 * ingest path into a real SQLite file: the two Sysmon samples (../shared/samples, read in place,
 * never copied), gzipped or not; the same log twice; a damaged chunk; files that are not .evtx.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeUploadChunks } from "../ingest/decode-upload";
import { TelemetryFileError } from "../ingest/telemetry-file-error";
import { importDetectionModules, type DetectionModules } from "../testing/detection-modules";
import { useThrowawayDatabase } from "../testing/throwaway-database";

useThrowawayDatabase("evtx-upload");

const SAMPLES = path.resolve(import.meta.dirname, "../../../shared/samples");
const UACME = readFileSync(path.join(SAMPLES, "sysmon-uacme-64.evtx"));
const PANACHE = readFileSync(path.join(SAMPLES, "sysmon-panache-atomic-red-team.evtx"));
const FILE_HEADER = 4096;
const CHUNK = 65536;

let modules: DetectionModules;

beforeAll(async () => {
  modules = await importDetectionModules();
}, 60_000);

/** The bytes as an HTTP body delivers them: in pieces of 16 KiB. */
async function* pieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 16384) yield bytes.subarray(at, at + 16384);
}

const upload = (name: string, bytes: Uint8Array) => modules.ingest.ingestTelemetryStream(name, decodeUploadChunks(pieces(bytes), 64 * 1024 * 1024), "cli:test");

const datasetCount = () => modules.db.prisma.dataset.count();

describe("uploading .evtx", () => {
  it("stores a Sysmon log's events 1, 3 and 7 and counts the rest as ignored; the same log again stores nothing new", async () => {
    // UACME: 530 records, 3 of event 1 and 511 of event 7; 16 of other event ids.
    const first = await upload("Microsoft-Windows-Sysmon%4Operational.evtx", UACME);
    expect([first.format, first.table, first.accepted, first.rejected, first.ignored, first.duplicates, first.errors]).toEqual([
      "evtx",
      "Sysmon 1 (process create), Sysmon 7 (image loaded)",
      514,
      0,
      16,
      0,
      [],
    ]);
    const again = await upload("copy.evtx", UACME);
    expect([again.accepted, again.duplicates]).toEqual([0, 514]);
    // Each dataset lists what it holds, the repeat's events stored by the first included; narrowed by kind and file, any case.
    const { datasetEvents } = await import("./event-store");
    expect(datasetEvents(again.datasetId, {}, 10)).toMatchObject({ total: 514 });
    const bcrypt = datasetEvents(first.datasetId, { kind: "image_load", fileName: "BCRYPT.DLL" }, 5);
    expect([bcrypt.total, bcrypt.events.length, bcrypt.events.every((event) => event.fileName?.toLowerCase() === "bcrypt.dll")]).toEqual([7, 5, true]);

    // The crypto loads of event 7, with the process that loaded them and both times kept.
    const loads = await modules.db.prisma.$queryRaw<{ fileName: string; process: string; guid: string; loggedAt: string; reportId: string }[]>`
      SELECT e."fileName", c."initiatingProcessFileName" AS "process", c."initiatingProcessGuid" AS "guid", e."loggedAt", e."reportId"
      FROM "TelemetryEvent" e JOIN "ProcessContext" c ON c."id" = e."contextId"
      WHERE e."datasetId" = ${first.datasetId} AND e."kind" = 'image_load' AND lower(e."fileName") IN ('bcrypt.dll', 'rsaenh.dll', 'ncrypt.dll', 'cryptsp.dll', 'bcryptprimitives.dll')`;
    // The seed's crypto libraries and the images loading them, as evtx_dump.py lists them: bcrypt 7, bcryptprimitives 11, cryptsp 9, rsaenh 6.
    expect(loads).toHaveLength(33);
    expect([...new Set(loads.map((load) => load.process.toLowerCase()))].sort()).toEqual(["[1]consent.exe", "akagi64.exe", "cmd.exe", "conhost.exe", "consent.exe", "dllhost.exe", "ieinstal.exe"]);
    for (const load of loads) {
      expect(load.guid).toMatch(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/);
      expect(load.loggedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
      expect(load.reportId).toMatch(/^\d+$/);
    }
  });

  it("reads a gzipped log as the same log", async () => {
    // Atomic Red Team: 565 records, 511 of event 1, 4 of event 3, 5 of event 7; 45 others.
    const result = await upload("panache.evtx.gz", gzipSync(PANACHE));
    expect([result.format, result.accepted, result.rejected, result.ignored]).toEqual(["evtx", 520, 0, 45]);
  });

  it("skips a chunk whose checksum fails, says which and how many records, and stores the rest", async () => {
    const damaged = Buffer.from(UACME);
    const chunk1 = FILE_HEADER + CHUNK;
    // The chunk's own header gives its first and last record numbers.
    const records = Number(damaged.readBigUInt64LE(chunk1 + 16) - damaged.readBigUInt64LE(chunk1 + 8)) + 1;
    damaged[chunk1 + 1000] ^= 0xff;
    const before = await modules.db.prisma.telemetryEvent.count();
    const result = await upload("damaged.evtx", damaged);
    expect(result.errors).toEqual([{ line: null, message: `chunk 1: checksum mismatch, ${records} records skipped` }]);
    expect(result.rejected).toBe(records);
    // Every other record was read: none of them new (the log was stored above).
    expect(result.accepted + result.duplicates + result.ignored + records).toBe(530);
    expect(await modules.db.prisma.telemetryEvent.count()).toBe(before);
  });

  it("refuses what is not an .evtx file with a 4xx, storing nothing", async () => {
    const datasets = await datasetCount();
    const wrongMagic = Buffer.from(UACME.subarray(0, 8192));
    wrongMagic.write("ElfFilX", 0, "latin1");
    // Read as text, which binary bytes are not.
    await expect(upload("wrong.evtx", wrongMagic)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^The file is not UTF-8 text/) });
    const cutHeader = UACME.subarray(0, 100);
    const refused = await upload("cut.evtx", cutHeader).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TelemetryFileError);
    expect((refused as TelemetryFileError).status).toBe(422);
    expect((refused as TelemetryFileError).message).toMatch(/^This is not a readable Windows event log \(\.evtx\): /);
    expect(await datasetCount()).toBe(datasets);
  });
});
