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
    expect(damages(items)).toEqual([{ kind: "damage", message: `chunk 2: checksum mismatch, ${skipped} records skipped`, recordsSkipped: skipped }]);
    expect(records(items)).toEqual(expected.filter((item) => kept.has(item.recordNumber)));
  });

  it("reports a file cut inside a chunk as that chunk truncated, earlier chunks whole", () => {
    const bytes = sample(UACME);
    const cut = chunkStart(3) + 30000;
    const whole = parse(bytes);
    const items = parse(bytes.subarray(0, cut));
    const skipped = declaredRecords(bytes, 3);
    expect(items.at(-1)).toEqual({ kind: "damage", message: `chunk 3: truncated (30000 of 65536 bytes), ${skipped} records skipped`, recordsSkipped: skipped });
    expect(items.slice(0, -1)).toEqual(whole.slice(0, items.length - 1));
    const recordsBefore = [0, 1, 2].reduce((sum, chunk) => sum + declaredRecords(bytes, chunk), 0);
    expect(items).toHaveLength(recordsBefore + 1);
  });

  it("reports a cut inside a chunk header with the record count unknown", () => {
    const items = parse(sample(UACME).subarray(0, chunkStart(1) + 100));
    expect(items.at(-1)).toEqual({ kind: "damage", message: "chunk 1: truncated (100 of 65536 bytes), records unknown", recordsSkipped: null });
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
    // Zeros where the signature was: not an unused slot, as the rest of the chunk is not zero.
    const wipedSignature = bytes.slice();
    wipedSignature.fill(0, chunkStart(1), chunkStart(1) + 8);
    const badHeader = bytes.slice();
    badHeader[chunkStart(1) + 200] ^= 0xff; // in the string offset table, which the header checksum covers
    for (const [damaged, problem] of [
      [badSignature, "bad signature"],
      [wipedSignature, "bad signature"],
      [badHeader, "header checksum mismatch"],
    ] as const) {
      const items = parse(damaged);
      expect(damages(items)).toEqual([{ kind: "damage", message: `chunk 1: ${problem}, records unknown`, recordsSkipped: null }]);
      expect(records(items)).toHaveLength(expectedCount - declaredRecords(bytes, 1));
    }
  });

  it("reports zero-filled slots that a used chunk follows, in pieces of any size", () => {
    const bytes = sample(UACME);
    const zeroed = bytes.slice();
    zeroed.fill(0, chunkStart(1), chunkStart(3));
    const whole = parse(bytes);
    const lost = declaredRecords(bytes, 1) + declaredRecords(bytes, 2);
    const zeroFilled = (chunk: number) => ({ kind: "damage", message: `chunk ${chunk}: zero-filled, records unknown`, recordsSkipped: null });
    for (const pieceSize of [() => zeroed.length, () => 7919, () => CHUNK_BYTES]) {
      const items = parse(zeroed, pieceSize);
      const first = declaredRecords(bytes, 0);
      // Reported when chunk 3 arrives, before its records; the zero slots at the end of the file stay silent.
      expect(items.slice(first, first + 2)).toEqual([zeroFilled(1), zeroFilled(2)]);
      expect(damages(items)).toHaveLength(2);
      expect(records(items)).toHaveLength(records(whole).length - lost);
    }
  });

  it("reports zero-filled slots followed by a chunk cut short", () => {
    const bytes = sample(UACME);
    const cut = bytes.slice(0, chunkStart(3) + 100);
    cut.fill(0, chunkStart(1), chunkStart(3));
    expect(damages(parse(cut)).map((item) => item.message)).toEqual([
      "chunk 1: zero-filled, records unknown",
      "chunk 2: zero-filled, records unknown",
      "chunk 3: truncated (100 of 65536 bytes), records unknown",
    ]);
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
    expect(items[0]).toEqual({ kind: "damage", message: "file header: checksum mismatch, chunks read anyway", recordsSkipped: 0 });
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
  const goodRecord = (w: ChunkWriter, n: bigint) => w.record({ number: n }, (r) => r.fragmentHeader().templateInstance("good", sysmonLikeTemplate(["V"]), event(n)).eof());
  const uint8Array = (count: number) => value.raw(0x84, new Array(count).fill(7));
  const LIMIT_HIT = "the chunk expands beyond the size limit";

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
    const items = parseChunk((w) => {
      w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("bomb", bomb, [value.stringArray(new Array(200).fill(item))]).eof());
      w.record({ number: 2n }, (r) => r.fragmentHeader().templateInstance("good", sysmonLikeTemplate(["V"]), event(2n)).eof());
    });
    expect(messagesAndRecords(items)).toEqual(["chunk 0: record 1: the chunk expands beyond the size limit, 2 records skipped"]);
  });

  it("stops a template that repeats a BinXML value holding thousands of values", () => {
    // The reviewer's probe: 7,000 copies of one value, itself a template instance of 7,000 NULL
    // values. Each copy costs what reading the first did, so the budget runs out after a few dozen.
    const copies: Content = (t) =>
      t.element("E", [], (e) => {
        for (let count = 0; count < 7000; count++) e.sub(0, 0x21);
      });
    const nulls = value.binxml((v) => v.templateInstance("inner", (t) => t.element("V"), new Array(7000).fill(value.null())).eof());
    const items = parseChunk((w) => {
      w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("outer", copies, [nulls]).eof());
      goodRecord(w, 2n);
    });
    expect(messagesAndRecords(items)).toEqual([`chunk 0: record 1: ${LIMIT_HIT}, 2 records skipped`]);
  });

  it("charges elements dropped or attributes left empty, however often an array repeats them", () => {
    // 25,000 copies of R, each visiting 1,500 children that a NULL optional substitution drops.
    const dropped: Content = (t) =>
      t.element("R", [], (r) => {
        r.sub(1, 0x84);
        for (let count = 0; count < 1500; count++) r.element("D", [], (d) => d.sub(0, 0x00, true));
      });
    // 2,000 copies of R, each with 300 attributes of no value.
    const emptyAttributes: [string, Content][] = Array.from({ length: 300 }, (_, index) => [`a${index % 10}`, () => {}]);
    const attributes: Content = (t) => t.element("R", emptyAttributes, (r) => r.sub(0, 0x84));
    for (const [template, values] of [
      [dropped, [value.null(), uint8Array(25000)]],
      [attributes, [uint8Array(2000)]],
    ] as const) {
      const items = parseChunk((w) => {
        w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("t", template, [...values]).eof());
        goodRecord(w, 2n);
      });
      expect(messagesAndRecords(items)).toEqual([`chunk 0: record 1: ${LIMIT_HIT}, 2 records skipped`]);
    }
  });

  it("charges names decoded, which can overlap anywhere in the chunk", () => {
    // 1,000 elements whose names start one byte apart in a run of 0x30 bytes: 12,336 characters each.
    const names = 0x9000;
    const writer = new ChunkWriter();
    writer.record({ number: 1n }, (r) => {
      r.fragmentHeader();
      for (let index = 0; index < 1000; index++) r.u8(0x01).u16(0xffff).u32(0).u32(names + index).u8(0x03);
      r.eof();
    });
    const chunk = writer.finish();
    chunk.fill(0x30, names); // past the free space offset: no checksum covers it, no record is read there
    expect(messagesAndRecords(parse(evtxFile([chunk])))).toEqual([`chunk 0: record 1: ${LIMIT_HIT}, 1 record skipped`]);
  });

  it("charges template definitions as they are parsed, which can nest inside one another", () => {
    // Definition k's element holds definition k + 1 (its header read as six substitutions) and so
    // on, the innermost 10,000 substitutions: each of the 60 definitions parses all of those.
    const levels = 60;
    const base = 0x3000;
    const nameAt = base;
    const name = [0, 0, 0, 0, 0, 0, 1, 0, 0x45, 0, 0, 0]; // "E"
    const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
    const substitution = [0x0d, 0, 0, 0];
    let inner: number[] = new Array(10000).fill(substitution).flat();
    let definition: number[] = [];
    for (let level = levels - 1; level >= 0; level--) {
      const element = [0x01, 0xff, 0xff, 0, 0, 0, 0, ...u32(nameAt), 0x02, ...inner, 0x04];
      const sizeHigh = Math.ceil((element.length - 0x0d) / 256); // size 0x0d + 256 * sizeHigh, a substitution token too
      definition = [...new Array(5).fill(substitution).flat(), 0x0d, sizeHigh, 0, 0, ...element];
      inner = definition;
    }
    const start = nameAt + name.length;
    const definitionAt = (level: number) => start + level * (24 + 12);
    const writer = new ChunkWriter();
    for (let level = 0; level < levels; level++) {
      writer.record({ number: BigInt(level + 1) }, (r) => r.fragmentHeader().u8(0x0c).u8(0x01).u32(0).u32(definitionAt(level)).u32(0).eof());
    }
    expect(writer.position).toBeLessThan(base);
    const chunk = writer.finish();
    chunk.set([...name, ...definition], base); // past the free space offset, as above
    const items = messagesAndRecords(parse(evtxFile([chunk])));
    expect(items.at(-1)).toMatch(new RegExp(`^chunk 0: record \\d+: ${LIMIT_HIT}, \\d+ records skipped$`));
    // The first definitions parse and fail on their missing values; the budget stops the rest.
    expect(items.length).toBeLessThan(levels / 2);
    expect(items[0]).toBe("chunk 0: record 1: substitution 0 has no value (0 given), 1 record skipped");
  });

  it("stops a chunk that renders more than 4 Mi characters", () => {
    // One Data item repeating a 16,000-character value 300 times: 4.8 M characters.
    const long = value.string("x".repeat(16000));
    const template: Content = (t) =>
      t.element("Event", [], (e) => {
        e.element("System", [], (s) => s.element("EventID", [], (c) => c.sub(1, 0x06)));
        e.element("EventData", [], (d) =>
          d.element("Data", [["Name", (a) => a.text("CommandLine")]], (c) => {
            for (let count = 0; count < 300; count++) c.sub(0, 0x01);
          }),
        );
      });
    const items = parseChunk((w) => {
      w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("t", template, [long, value.uint16(1)]).eof());
      goodRecord(w, 2n);
    });
    expect(messagesAndRecords(items)).toEqual([`chunk 0: record 1: ${LIMIT_HIT}, 2 records skipped`]);
  });

  it("skips a record that flattens to more than 4 MiB of text, reading the rest of the chunk", () => {
    // Provider/@Name repeats a 16,000-character value 140 times: 2.24 M characters rendered, within
    // the chunk's budget, but flattened twice over (ProviderName and SourceName).
    const long = value.string("x".repeat(16000));
    const template: Content = (t) =>
      t.element("Event", [], (e) =>
        e.element("System", [], (s) => {
          s.element("Provider", [
            [
              "Name",
              (a) => {
                for (let count = 0; count < 140; count++) a.sub(0, 0x01);
              },
            ],
          ]);
          s.element("EventID", [], (c) => c.sub(1, 0x06));
        }),
      );
    const items = parseChunk((w) => {
      w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("t", template, [long, value.uint16(1)]).eof());
      goodRecord(w, 2n);
    });
    expect(messagesAndRecords(items)).toEqual(["chunk 0: record 1: longer than 4 MiB of text, 1 record skipped", "record 2"]);
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
