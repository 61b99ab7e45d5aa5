/**
 * The stream parser on the real Sysmon logs in ../shared/samples (read in place, never copied)
 * fed in odd pieces and damaged in the test, and on hand-built hostile records.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32";
import { EvtxFormatError, EvtxStreamParser, looksLikeEvtx, type EvtxItem } from "./evtx-stream-parser";
import { CHUNK_BYTES, ChunkWriter, evtxFile, resealChunk, sysmonLikeTemplate, sysmonLikeValues, value, type Content, type Value } from "./evtx-test-builder";

const SAMPLES = path.resolve(__dirname, "../../../../shared/samples");
const UACME = "sysmon-uacme-64.evtx";
const PANACHE = "sysmon-panache-atomic-red-team.evtx";
const FILE_HEADER = 4096;

const sample = (name: string) => new Uint8Array(readFileSync(path.join(SAMPLES, name)));
const chunkStart = (index: number) => FILE_HEADER + index * CHUNK_BYTES;

/** Feeds `bytes` in pieces of the sizes `pieceSize` gives for each offset. */
function parse(bytes: Uint8Array, pieceSize: (offset: number) => number = () => bytes.length): EvtxItem[] {
  const parser = new EvtxStreamParser();
  const items: EvtxItem[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const size = Math.max(1, pieceSize(offset));
    items.push(...parser.push(bytes.subarray(offset, offset + size)));
    offset += size;
  }
  return [...items, ...parser.end()];
}

const records = (items: EvtxItem[]) => items.filter((item) => item.kind === "record");
const damages = (items: EvtxItem[]) => items.filter((item) => item.kind === "damage");
/** Records the chunk's header declares: last - first record number + 1. */
function declaredRecords(bytes: Uint8Array, chunk: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + chunkStart(chunk));
  return Number(view.getBigUint64(16, true) - view.getBigUint64(8, true) + 1n);
}

describe("real samples", () => {
  it.each([
    [UACME, 530],
    [PANACHE, 565],
  ])("reads %s whole, %i records, no damage", (name, count) => {
    const items = parse(sample(name));
    expect(damages(items)).toEqual([]);
    expect(items).toHaveLength(count);
  });

  it.each([UACME, PANACHE])("reads %s identically in odd pieces", (name) => {
    const bytes = sample(name);
    // Single bytes through the file header and into the first chunk, then pieces of a prime size.
    const pieces = parse(bytes, (offset) => (offset < 5000 ? 1 : 7919));
    expect(pieces).toEqual(parse(bytes));
  });

  it("reports a chunk whose record data changed as one damage item, with its exact record count", () => {
    const clean = sample(UACME);
    const damaged = clean.slice();
    damaged[chunkStart(2) + 1000] ^= 0x01;
    const expected = records(parse(clean));
    const items = parse(damaged);
    const kept = new Set(records(items).map((item) => item.recordNumber));
    const lost = expected.filter((item) => !kept.has(item.recordNumber));
    const skipped = declaredRecords(clean, 2);
    expect(lost).toHaveLength(skipped);
    expect(damages(items)).toEqual([{ kind: "damage", chunk: 2, message: `chunk 2: checksum mismatch, ${skipped} records skipped`, recordsSkipped: skipped }]);
    expect(records(items)).toEqual(expected.filter((item) => kept.has(item.recordNumber)));
  });

  it("reports a file cut inside a chunk as that chunk truncated, earlier chunks whole", () => {
    const bytes = sample(UACME);
    const cut = chunkStart(3) + 30000;
    const whole = parse(bytes);
    const items = parse(bytes.subarray(0, cut));
    const skipped = declaredRecords(bytes, 3);
    expect(items.at(-1)).toEqual({ kind: "damage", chunk: 3, message: `chunk 3: truncated (30000 of 65536 bytes), ${skipped} records skipped`, recordsSkipped: skipped });
    expect(items.slice(0, -1)).toEqual(whole.slice(0, items.length - 1));
    const recordsBefore = [0, 1, 2].reduce((sum, chunk) => sum + declaredRecords(bytes, chunk), 0);
    expect(items).toHaveLength(recordsBefore + 1);
  });

  it("reports a cut inside a chunk header with the record count unknown", () => {
    const items = parse(sample(UACME).subarray(0, chunkStart(1) + 100));
    expect(items.at(-1)).toEqual({ kind: "damage", chunk: 1, message: "chunk 1: truncated (100 of 65536 bytes), records unknown", recordsSkipped: null });
  });

  it("skips zero-filled chunk slots and zero tails silently", () => {
    const bytes = sample(PANACHE);
    const expected = parse(bytes);
    for (const tail of [CHUNK_BYTES, 1000, CHUNK_BYTES + 7]) {
      const padded = new Uint8Array(bytes.length + tail);
      padded.set(bytes);
      expect(parse(padded)).toEqual(expected);
    }
  });

  it("reports a chunk with a bad signature or header checksum, reading the others", () => {
    const bytes = sample(UACME);
    const expectedCount = records(parse(bytes)).length;
    const badSignature = bytes.slice();
    badSignature[chunkStart(1)] = 0x58;
    const badHeader = bytes.slice();
    badHeader[chunkStart(1) + 200] ^= 0xff; // in the string offset table, which the header checksum covers
    for (const [damaged, problem] of [
      [badSignature, "bad signature"],
      [badHeader, "header checksum mismatch"],
    ] as const) {
      const items = parse(damaged);
      expect(damages(items)).toEqual([{ kind: "damage", chunk: 1, message: `chunk 1: ${problem}, records unknown`, recordsSkipped: null }]);
      expect(records(items)).toHaveLength(expectedCount - declaredRecords(bytes, 1));
    }
  });

  it("reads every chunk whatever chunk count the file header states", () => {
    const bytes = sample(UACME);
    const stale = bytes.slice();
    const view = new DataView(stale.buffer);
    view.setUint16(42, 1, true);
    view.setUint32(124, crc32(stale, 0, 120), true);
    expect(parse(stale)).toEqual(parse(bytes));
  });

  it("reports a file header checksum mismatch and reads the chunks anyway", () => {
    const bytes = sample(UACME);
    const damaged = bytes.slice();
    damaged[60] ^= 0xff;
    const items = parse(damaged);
    expect(items[0]).toEqual({ kind: "damage", chunk: null, message: "file header: checksum mismatch, chunks read anyway", recordsSkipped: 0 });
    expect(items.slice(1)).toEqual(parse(bytes));
  });

  it("never throws or hangs on records mangled inside a chunk whose checksums are right", () => {
    // The first two chunks: the first is mangled, the second must come through untouched.
    const bytes = sample(PANACHE).slice(0, chunkStart(2));
    const expectedLater = records(parse(bytes)).slice(declaredRecords(bytes, 0));
    const messages = new Set<string>();
    const freeSpace = new DataView(bytes.buffer, bytes.byteOffset + chunkStart(0)).getUint32(48, true);
    let seed = 12345;
    const random = (below: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % below;
    };
    for (let round = 0; round < 400; round++) {
      const damaged = bytes.slice();
      for (let flips = 1 + random(4); flips > 0; flips--) damaged[chunkStart(0) + 512 + random(freeSpace - 512)] = random(256);
      resealChunk(damaged.subarray(chunkStart(0), chunkStart(1)));
      const items = parse(damaged);
      for (const item of damages(items)) {
        expect(item.message).toMatch(/^chunk 0: /);
        messages.add(item.message.replace(/^chunk 0: (record \d+: )?/, "").replace(/0x[0-9a-f]+|\d+/g, "N"));
      }
      expect(records(items).slice(-expectedLater.length)).toEqual(expectedLater);
    }
    // The mangling reached the record headers, the BinXML and the values.
    expect(messages.size).toBeGreaterThan(5);
  });
});

describe("file format", () => {
  it("recognises the magic", () => {
    expect(looksLikeEvtx(sample(UACME).subarray(0, 8))).toBe(true);
    expect(looksLikeEvtx(new TextEncoder().encode("ElfFile"))).toBe(false);
    expect(looksLikeEvtx(new TextEncoder().encode("PK\u0003\u0004...."))).toBe(false);
  });

  it("refuses other formats as soon as their first byte arrives", () => {
    const parser = new EvtxStreamParser();
    expect(() => parser.push(new TextEncoder().encode("<"))).toThrow(EvtxFormatError);
    const wrongMagic = sample(UACME).slice();
    wrongMagic[3] = 0x58;
    expect(() => parse(wrongMagic)).toThrow(EvtxFormatError);
  });

  it("refuses files shorter than the file header", () => {
    expect(() => parse(new Uint8Array(0))).toThrow(new EvtxFormatError("The file is empty."));
    expect(() => parse(sample(UACME).subarray(0, 100))).toThrow(new EvtxFormatError("The file ends inside the EVTX file header (100 of 4096 bytes)."));
  });

  it("reads a file of only a header as no records", () => {
    expect(parse(evtxFile([]))).toEqual([]);
  });
});

describe("hostile records", () => {
  const written = 132476682518046383n;
  const event = (n: bigint, data: Value[] = [value.string("ok")]) => sysmonLikeValues({ written, eventRecordId: n, data });

  /** One chunk of records written by `write`; the items read from it. */
  function parseChunk(write: (w: ChunkWriter) => void): EvtxItem[] {
    const writer = new ChunkWriter();
    write(writer);
    return parse(evtxFile([writer.finish()]));
  }

  /** Record 1 is written by `body`; a sound record 2 follows it in the same chunk. */
  function parseBadThenGood(body: Content): EvtxItem[] {
    return parseChunk((w) => {
      w.record({ number: 1n }, body);
      w.record({ number: 2n }, (r) => r.fragmentHeader().templateInstance("good", sysmonLikeTemplate(["V"]), event(2n)).eof());
    });
  }

  const messagesAndRecords = (items: EvtxItem[]) => items.map((item) => (item.kind === "record" ? `record ${item.record.EventRecordID}` : item.message));

  it("skips a record whose elements nest too deep", () => {
    const nest = (depth: number): Content => (w) => w.element("N", [], depth > 0 ? nest(depth - 1) : undefined);
    expect(messagesAndRecords(parseBadThenGood((r) => nest(100)(r.fragmentHeader())))).toEqual(["chunk 0: record 1: elements nest too deep, 1 record skipped", "record 2"]);
  });

  it("skips a record whose BinXML values nest too deep", () => {
    const nestValue = (depth: number): Value =>
      depth === 0 ? value.string("x") : value.binxml((v) => v.fragmentHeader().templateInstance(`n${depth}`, (t) => t.element("V", [], (c) => c.sub(0, 0x21)), [nestValue(depth - 1)]).eof());
    expect(messagesAndRecords(parseBadThenGood((r) => r.fragmentHeader().templateInstance("outer", (t) => t.element("E", [], (c) => c.sub(0, 0x21)), [nestValue(12)])))).toEqual([
      "chunk 0: record 1: BinXML values nest too deep, 1 record skipped",
      "record 2",
    ]);
  });

  it("skips a record claiming four billion values without allocating for them", () => {
    const items = parseBadThenGood((r) => {
      r.fragmentHeader().templateInstance("t", sysmonLikeTemplate(["V"]), []);
      r.bytes.splice(-4, 4, 0xff, 0xff, 0xff, 0xff);
    });
    expect(messagesAndRecords(items)).toEqual([expect.stringMatching(/^chunk 0: record 1: data ends at 0x[0-9a-f]+, inside a structure at 0x[0-9a-f]+, 1 record skipped$/), "record 2"]);
  });

  it("skips records whose template or name offsets point outside the chunk or back at themselves", () => {
    const outside = parseBadThenGood((r) => r.fragmentHeader().u8(0x0c).u8(0x01).u32(0).u32(0xffffff00).u32(0));
    expect(messagesAndRecords(outside)[0]).toBe("chunk 0: record 1: template at 0xffffff00: template definition offset 0xffffff00 is outside the chunk, 1 record skipped");
    const selfReference = parseBadThenGood((r) => {
      r.fragmentHeader();
      r.u8(0x0c).u8(0x01).u32(0).u32(r.position - 6).u32(0);
    });
    expect(messagesAndRecords(selfReference)).toEqual([expect.stringMatching(/^chunk 0: record 1: template at 0x[0-9a-f]+: .*, 1 record skipped$/), "record 2"]);
    const badName = parseBadThenGood((r) => r.fragmentHeader().u8(0x01).u16(0xffff).u32(0).u32(0xfffffff0).u8(0x03));
    expect(messagesAndRecords(badName)[0]).toBe("chunk 0: record 1: name offset 0xfffffff0 is outside the chunk, 1 record skipped");
  });

  it("stops a chunk that would expand without bound, reporting the records left", () => {
    // Each copy of D1 repeats D2 once per array item, and each element repeats the 100-character
    // items a hundred times: 200 x 200 elements of 10,000 characters from 40 KB of data.
    const item = "x".repeat(100);
    const hundredSubstitutions: Content = (c) => {
      for (let count = 0; count < 100; count++) c.sub(0, 0x81);
    };
    const bomb: Content = (t) =>
      t.element("E", [], (e) =>
        e.element("D1", [], (d1) => {
          hundredSubstitutions(d1);
          d1.element("D2", [], hundredSubstitutions);
        }),
      );
    const started = performance.now();
    const items = parseChunk((w) => {
      w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("bomb", bomb, [value.stringArray(new Array(200).fill(item))]).eof());
      w.record({ number: 2n }, (r) => r.fragmentHeader().templateInstance("good", sysmonLikeTemplate(["V"]), event(2n)).eof());
    });
    expect(messagesAndRecords(items)).toEqual(["chunk 0: record 1: the chunk expands beyond the size limit, 2 records skipped"]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("reports a record header that does not hold together, and the records after it", () => {
    const items = parseChunk((w) => {
      w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("good", sysmonLikeTemplate(["V"]), event(1n)).eof());
      const second = w.position;
      w.record({ number: 2n }, (r) => r.fragmentHeader().templateInstance("good", sysmonLikeTemplate(["V"]), event(2n)).eof());
      w.record({ number: 3n }, (r) => r.fragmentHeader().templateInstance("good", sysmonLikeTemplate(["V"]), event(3n)).eof());
      w.bytes[second + 4] ^= 0x01; // its size no longer matches the copy at its end
    });
    expect(messagesAndRecords(items)).toEqual(["record 1", expect.stringMatching(/^chunk 0: bad record header at offset 0x[0-9a-f]+, 2 records skipped$/)]);
  });
});
