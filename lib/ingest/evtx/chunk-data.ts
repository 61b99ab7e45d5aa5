/**
 * One EVTX chunk's bytes and what its records share: the names and template definitions that
 * BinXML refers to by offset from the chunk start, decoded once per chunk. Every read is
 * bounds-checked, because every offset and size here comes from the file.
 */
import type { ElementPattern, ValueDocument } from "./binxml";

/** The chunk's data does not parse; the record (or chunk) being read is damaged. */
export class BinXmlError extends Error {}

/** The chunk would expand into more text and elements than any honest chunk does (a decompression bomb). */
export class ExpansionLimitError extends BinXmlError {}

/**
 * The work a chunk may cost, in characters of memory: text rendered and names decoded, NODE_COST
 * per element, attribute or piece of text built (template definitions included) and VALUE_COST per
 * substitution value read. The chunks of real Sysmon logs spend under 0.3 M. Everything offsets or
 * repetition can multiply is charged, so a hostile chunk costs at most a small multiple of an
 * honest one, in time and memory, before it is refused.
 */
export const EXPANSION_BUDGET = 4 * 1024 * 1024;
/** An element, attribute or piece of text built: an object or string piece, about 64 bytes with its arrays. */
export const NODE_COST = 32;
/** A substitution value read: its type, start and size kept. */
export const VALUE_COST = 8;

const utf16Decoder = new TextDecoder("utf-16le");

export class ChunkData {
  readonly view: DataView;
  private readonly names = new Map<number, string>();
  /** Template definitions by offset, parsed (or failed) once per chunk by the BinXML reader. */
  readonly templates = new Map<number, ElementPattern | BinXmlError>();
  /** BinXML-typed substitution values by start and size, parsed once per chunk however often a template repeats them. */
  readonly valueDocuments = new Map<number, ValueDocument>();
  private budget = EXPANSION_BUDGET;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Counts `cost` against the chunk's expansion budget. */
  spend(cost: number): void {
    this.budget -= cost;
    if (this.budget < 0) throw new ExpansionLimitError("the chunk expands beyond the size limit");
  }

  /** How much of the budget has been spent so far. */
  get spent(): number {
    return EXPANSION_BUDGET - this.budget;
  }

  /** The name (element, attribute, entity or PI target) whose structure starts at `offset`. */
  name(offset: number): string {
    const known = this.names.get(offset);
    if (known !== undefined) return known;
    const length = this.nameStructureLength(offset);
    const name = this.utf16(offset + 8, length - 10);
    // Names overlap freely (any offset will do), so each one decoded is charged.
    this.spend(name.length);
    this.names.set(offset, name);
    return name;
  }

  /**
   * Bytes of the name structure at `offset`: next-name offset (4), hash (2), character count (2),
   * UTF-16LE characters, a NUL character.
   */
  nameStructureLength(offset: number): number {
    if (offset + 8 > this.bytes.length) throw new BinXmlError(`name offset 0x${offset.toString(16)} is outside the chunk`);
    const length = 10 + 2 * this.view.getUint16(offset + 6, true);
    if (offset + length > this.bytes.length) throw new BinXmlError(`name at 0x${offset.toString(16)} runs past the chunk`);
    return length;
  }

  /** UTF-16LE text of bytes[start, start + byteLength), an odd last byte ignored. */
  utf16(start: number, byteLength: number): string {
    return utf16Decoder.decode(this.bytes.subarray(start, start + (byteLength & ~1)));
  }
}

/** A cursor over a chunk that refuses to read past `end`, the end of the structure being parsed. */
export class ChunkReader {
  constructor(
    readonly data: ChunkData,
    public position: number,
    readonly end: number,
  ) {
    if (end > data.bytes.length || position > end) throw new BinXmlError(`range 0x${position.toString(16)}..0x${end.toString(16)} is outside the chunk`);
  }

  /** Throws unless `count` more bytes are there to read. */
  need(count: number): void {
    if (this.position + count > this.end) throw new BinXmlError(`data ends at 0x${this.end.toString(16)}, inside a structure at 0x${this.position.toString(16)}`);
  }

  skip(count: number): void {
    this.need(count);
    this.position += count;
  }

  peek(): number {
    this.need(1);
    return this.data.bytes[this.position];
  }

  u8(): number {
    this.need(1);
    return this.data.bytes[this.position++];
  }

  u16(): number {
    this.need(2);
    const value = this.data.view.getUint16(this.position, true);
    this.position += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.data.view.getUint32(this.position, true);
    this.position += 4;
    return value;
  }

  /** UTF-16LE text of `characters` characters. */
  utf16(characters: number): string {
    this.need(characters * 2);
    const text = this.data.utf16(this.position, characters * 2);
    this.position += characters * 2;
    return text;
  }
}
