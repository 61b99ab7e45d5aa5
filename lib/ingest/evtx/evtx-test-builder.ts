/**
 * Test helper: assembles EVTX files byte by byte (file header, chunks, records, BinXML tokens,
 * template definitions and substitution values) with valid checksums, so tests can state exactly
 * what a file holds and work out by hand what the parser must read from it.
 *
 * Offsets inside BinXML (names, template definitions) are relative to the chunk, so everything is
 * written through a ChunkWriter that knows its position in the chunk. A name or template is stored
 * inline the first time a chunk uses it and referenced by offset after that, as Windows does.
 */
import { crc32 } from "./crc32";

export const CHUNK_BYTES = 0x10000;
const CHUNK_HEADER_BYTES = 512;

/** A substitution value: its type byte and its bytes, or a writer for BinXML-typed values, whose names depend on where they land in the chunk. */
export type Value = { type: number; bytes: number[] } | { type: number; write: (w: ChunkWriter) => void };
export type Content = (w: ChunkWriter) => void;

const littleEndian = (value: bigint, size: number): number[] => {
  const bytes: number[] = [];
  for (let index = 0; index < size; index++) bytes.push(Number((BigInt.asUintN(size * 8, value) >> BigInt(8 * index)) & 0xffn));
  return bytes;
};
const utf16 = (text: string): number[] => {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) bytes.push(text.charCodeAt(index) & 0xff, text.charCodeAt(index) >> 8);
  return bytes;
};

/** Substitution values by type, with the bytes Windows writes for them; tests spell out others with `raw`. */
export const value = {
  null: (): Value => ({ type: 0x00, bytes: [] }),
  string: (text: string): Value => ({ type: 0x01, bytes: utf16(text) }),
  ansi: (bytes: number[]): Value => ({ type: 0x02, bytes }),
  uint16: (n: number): Value => ({ type: 0x06, bytes: littleEndian(BigInt(n), 2) }),
  uint32: (n: number): Value => ({ type: 0x08, bytes: littleEndian(BigInt(n), 4) }),
  uint64: (n: bigint): Value => ({ type: 0x0a, bytes: littleEndian(n, 8) }),
  filetime: (ticks: bigint): Value => ({ type: 0x11, bytes: littleEndian(ticks, 8) }),
  systemtime: (parts: [year: number, month: number, dayOfWeek: number, day: number, hour: number, minute: number, second: number, millisecond: number]): Value => ({
    type: 0x12,
    bytes: parts.flatMap((part) => littleEndian(BigInt(part), 2)),
  }),
  binxml: (write: Content): Value => ({ type: 0x21, write }),
  /** A string array: each string NUL-terminated. */
  stringArray: (texts: string[]): Value => ({ type: 0x81, bytes: texts.flatMap((text) => [...utf16(text), 0, 0]) }),
  raw: (type: number, bytes: number[]): Value => ({ type, bytes }),
};

export interface RecordOptions {
  number: bigint;
}

export class ChunkWriter {
  readonly bytes: number[] = new Array(CHUNK_HEADER_BYTES).fill(0);
  private readonly names = new Map<string, number>();
  private readonly templates = new Map<string, number>();
  private readonly records: { number: bigint; offset: number }[] = [];

  get position(): number {
    return this.bytes.length;
  }

  u8(n: number): this {
    this.bytes.push(n & 0xff);
    return this;
  }
  u16(n: number): this {
    return this.raw(littleEndian(BigInt(n), 2));
  }
  u32(n: number): this {
    return this.raw(littleEndian(BigInt(n), 4));
  }
  u64(n: bigint): this {
    return this.raw(littleEndian(n, 8));
  }
  raw(bytes: number[]): this {
    for (const byte of bytes) this.bytes.push(byte);
    return this;
  }
  private patchU32(at: number, n: number): void {
    littleEndian(BigInt(n), 4).forEach((byte, index) => (this.bytes[at + index] = byte));
  }

  /** A name offset; the name itself follows inline the first time the chunk uses it. */
  name(text: string): this {
    const known = this.names.get(text);
    if (known !== undefined) return this.u32(known);
    const at = this.position + 4;
    this.names.set(text, at);
    return this.u32(at).u32(0).u16(0).u16(text.length).raw(utf16(text)).u16(0);
  }

  fragmentHeader(): this {
    return this.raw([0x0f, 0x01, 0x01, 0x00]);
  }

  eof(): this {
    return this.u8(0x00);
  }

  /**
   * An element: open start tag (with the dependency identifier unless inside a BinXML value),
   * attributes, then either content and an end tag or, without content, a close-empty tag.
   */
  element(name: string, attributes: [string, Content][] = [], content?: Content, options: { dependency?: boolean } = {}): this {
    this.u8(attributes.length > 0 ? 0x41 : 0x01);
    if (options.dependency ?? true) this.u16(0xffff);
    const sizeAt = this.position;
    this.u32(0).name(name);
    if (attributes.length > 0) {
      const listAt = this.position;
      this.u32(0);
      attributes.forEach(([attribute, write], index) => {
        this.u8(index < attributes.length - 1 ? 0x46 : 0x06).name(attribute);
        write(this);
      });
      this.patchU32(listAt, this.position - listAt - 4);
    }
    if (content) {
      this.u8(0x02);
      content(this);
      this.u8(0x04);
    } else {
      this.u8(0x03);
    }
    this.patchU32(sizeAt, this.position - sizeAt - 4);
    return this;
  }

  /** A value text token; `more` sets the flag saying more content follows. */
  text(text: string, more = false): this {
    return this.u8(more ? 0x45 : 0x05).u8(0x01).u16(text.length).raw(utf16(text));
  }
  sub(index: number, type: number, optional = false): this {
    return this.u8(optional ? 0x0e : 0x0d).u16(index).u8(type);
  }
  charRef(code: number, more = false): this {
    return this.u8(more ? 0x48 : 0x08).u16(code);
  }
  entityRef(name: string, more = false): this {
    return this.u8(more ? 0x49 : 0x09).name(name);
  }
  cdata(text: string, more = false): this {
    return this.u8(more ? 0x47 : 0x07).u16(text.length).raw(utf16(text));
  }
  pi(target: string, data: string): this {
    this.u8(0x0a).name(target);
    return this.u8(0x0b).u16(data.length).raw(utf16(data));
  }

  /**
   * A template instance: the definition inline the first time `key` is used in the chunk
   * (fragment header, `body`, end of stream), a reference to it after that; then the values.
   */
  templateInstance(key: string, body: Content, values: Value[]): this {
    this.u8(0x0c).u8(0x01).u32(crc32(Uint8Array.from(utf16(key))));
    const known = this.templates.get(key);
    if (known !== undefined) {
      this.u32(known);
    } else {
      const at = this.position + 4;
      this.templates.set(key, at);
      this.u32(at).u32(0).raw(new Array(16).fill(0x11)); // next definition, GUID: neither is read
      const sizeAt = this.position;
      this.u32(0).fragmentHeader();
      body(this);
      this.eof();
      this.patchU32(sizeAt, this.position - sizeAt - 4);
    }
    return this.substitutionValues(values);
  }

  substitutionValues(values: Value[]): this {
    this.u32(values.length);
    const descriptorsAt = this.position;
    for (const item of values) this.u16("bytes" in item ? item.bytes.length : 0).u8(item.type).u8(0);
    values.forEach((item, index) => {
      const start = this.position;
      if ("bytes" in item) this.raw(item.bytes);
      else item.write(this);
      const size = this.position - start;
      this.bytes[descriptorsAt + index * 4] = size & 0xff;
      this.bytes[descriptorsAt + index * 4 + 1] = size >> 8;
    });
    return this;
  }

  /** An event record whose BinXML `body` writes; by default a fragment header is not implied. */
  record(options: RecordOptions, body: Content): this {
    const start = this.position;
    this.records.push({ number: options.number, offset: start });
    this.raw([0x2a, 0x2a, 0, 0]).u32(0).u64(options.number).u64(0n); // written time: not read
    body(this);
    const size = this.position - start + 4;
    this.u32(size);
    this.patchU32(start + 4, size);
    return this;
  }

  /** The 64 KiB chunk: header fields and both checksums filled in, unused space zero. */
  finish(): Uint8Array {
    if (this.position > CHUNK_BYTES) throw new Error(`chunk overflows by ${this.position - CHUNK_BYTES} bytes`);
    const chunk = new Uint8Array(CHUNK_BYTES);
    chunk.set(this.bytes);
    const view = new DataView(chunk.buffer);
    chunk.set([..."ElfChnk"].map((c) => c.charCodeAt(0)));
    const first = this.records[0]?.number ?? 1n;
    const last = this.records.at(-1)?.number ?? 0n;
    view.setBigUint64(8, first, true);
    view.setBigUint64(16, last, true);
    view.setBigUint64(24, first, true);
    view.setBigUint64(32, last, true);
    view.setUint32(40, 128, true);
    view.setUint32(44, this.records.at(-1)?.offset ?? CHUNK_HEADER_BYTES, true);
    view.setUint32(48, this.position, true);
    view.setUint32(52, crc32(chunk, CHUNK_HEADER_BYTES, this.position), true);
    view.setUint32(124, chunkHeaderChecksum(chunk), true);
    return chunk;
  }
}

function chunkHeaderChecksum(chunk: Uint8Array): number {
  return crc32(chunk, 128, CHUNK_HEADER_BYTES, crc32(chunk, 0, 120));
}

/** Recomputes a chunk's checksums after a test changed its bytes, so only the BinXML is wrong. */
export function resealChunk(chunk: Uint8Array): void {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  view.setUint32(52, crc32(chunk, CHUNK_HEADER_BYTES, view.getUint32(48, true)), true);
  view.setUint32(124, chunkHeaderChecksum(chunk), true);
}

/** A whole file: the 4 KiB file header, then the chunks. */
export function evtxFile(chunks: Uint8Array[], options: { nextRecord?: bigint; flags?: number } = {}): Uint8Array {
  const file = new Uint8Array(4096 + chunks.length * CHUNK_BYTES);
  const view = new DataView(file.buffer);
  file.set([..."ElfFile"].map((c) => c.charCodeAt(0)));
  view.setBigUint64(8, 0n, true);
  view.setBigUint64(16, BigInt(Math.max(chunks.length - 1, 0)), true);
  view.setBigUint64(24, options.nextRecord ?? 1n, true);
  view.setUint32(32, 128, true);
  view.setUint16(36, 1, true);
  view.setUint16(38, 3, true);
  view.setUint16(40, 4096, true);
  view.setUint16(42, chunks.length, true);
  view.setUint32(120, options.flags ?? 0, true);
  view.setUint32(124, crc32(file, 0, 120), true);
  chunks.forEach((chunk, index) => file.set(chunk, 4096 + index * CHUNK_BYTES));
  return file;
}

/**
 * The template Windows uses for Sysmon-like events, reduced to what the flattened record reads:
 * System (Provider@Name, EventID, TimeCreated@SystemTime, EventRecordID, Channel, Computer) and
 * one EventData/Data per name. Substitutions 0..5 are the System values, 6.. the Data values.
 */
export function sysmonLikeTemplate(dataNames: string[], options: { optionalData?: boolean } = {}): Content {
  return (w) =>
    w.element("Event", [["xmlns", (a) => a.text("http://schemas.microsoft.com/win/2004/08/events/event")]], (e) => {
      e.element("System", [], (s) => {
        s.element("Provider", [["Name", (a) => a.sub(0, 0x01)]]);
        s.element("EventID", [], (c) => c.sub(1, 0x06));
        s.element("TimeCreated", [["SystemTime", (a) => a.sub(2, 0x11)]]);
        s.element("EventRecordID", [], (c) => c.sub(3, 0x0a));
        s.element("Channel", [], (c) => c.sub(4, 0x01));
        s.element("Computer", [], (c) => c.sub(5, 0x01));
      });
      e.element("EventData", [], (d) => {
        dataNames.forEach((name, index) => d.element("Data", [["Name", (a) => a.text(name)]], (c) => c.sub(6 + index, 0x01, options.optionalData)));
      });
    });
}

export interface SysmonLikeEvent {
  provider?: string;
  eventId?: number;
  written: bigint;
  eventRecordId: bigint;
  channel?: string;
  computer?: string;
  data: Value[];
}

export function sysmonLikeValues(event: SysmonLikeEvent): Value[] {
  return [
    value.string(event.provider ?? "Microsoft-Windows-Sysmon"),
    value.uint16(event.eventId ?? 1),
    value.filetime(event.written),
    value.uint64(event.eventRecordId),
    value.string(event.channel ?? "Microsoft-Windows-Sysmon/Operational"),
    value.string(event.computer ?? "HOST"),
    ...event.data,
  ];
}
