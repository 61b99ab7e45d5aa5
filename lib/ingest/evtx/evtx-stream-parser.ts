/**
 * A streaming reader of Windows event log files (.evtx), fed the file in pieces of any size (an
 * HTTP body, say) and returning each event record, flattened as the other Sysmon readers flatten
 * theirs (flattenEventRecord in ../windows-event-record.ts), as soon as its chunk is complete. It
 * holds at most one 64 KiB chunk besides the piece being pushed. Pure: no I/O.
 *
 * Layout: a 4096-byte file header ("ElfFile\0", ..., CRC-32 of its first 120 bytes at 124), then
 * 64 KiB chunks, each read on its own (see evtx-chunk.ts). The header's chunk count can be stale in
 * logs that were not closed cleanly, so every 64 KiB slot to the end of the file is read; the
 * zero-filled slots after the last used chunk are skipped silently.
 *
 * Damage never stops the reading: a chunk with a bad signature or checksum, cut short by the end
 * of the file or zero-filled with used chunks after it, or expanding beyond its budget (see
 * chunk-data.ts), and a record that does not parse or flattens to more than 4 MiB of text, each
 * become a damage item and reading goes on.
 * Only input that is not EVTX at all (wrong magic, or shorter than the file header) throws
 * EvtxFormatError, after which the parser is not to be used again.
 */
import { crc32 } from "./crc32";
import { CHUNK_SIZE, isZeroFilled, readChunk, truncatedChunk, zeroFilledChunk } from "./evtx-chunk";

export const EVTX_MAGIC = "ElfFile\0";
const MAGIC_BYTES = Array.from(EVTX_MAGIC, (character) => character.charCodeAt(0));
export const FILE_HEADER_SIZE = 4096;
/** The part of the file header that is checksummed (the first 120 bytes) and the checksum itself. */
const FILE_HEADER_CHECKED = 128;

export interface EvtxRecord {
  kind: "record";
  /** The number in the record header; exported logs renumber these from 1 (EventRecordID keeps the original). */
  recordNumber: number;
  record: Record<string, string>;
}

export interface EvtxDamage {
  kind: "damage";
  /** e.g. "chunk 7: checksum mismatch, 112 records skipped" (chunks counted from 0), or "file header: ..." */
  message: string;
  /** Records lost, or null when the damaged header leaves that unknown. */
  recordsSkipped: number | null;
}

export type EvtxItem = EvtxRecord | EvtxDamage;

/** The input is not an EVTX file at all. */
export class EvtxFormatError extends Error {}

/** Whether a file starts with the EVTX magic ("ElfFile\0"); `head` needs its first 8 bytes. */
export function looksLikeEvtx(head: Uint8Array): boolean {
  return head.length >= MAGIC_BYTES.length && MAGIC_BYTES.every((byte, index) => head[index] === byte);
}

export class EvtxStreamParser {
  private readonly header = new Uint8Array(FILE_HEADER_CHECKED);
  private headerBytes = 0;
  /** The chunk being filled from pieces that cut through it; allocated only when one does. */
  private chunk: Uint8Array | null = null;
  private chunkBytes = 0;
  private chunkIndex = 0;
  /** Zero-filled slots just before chunkIndex: unused if the file ends with them, lost chunks if a used one follows. */
  private zeroSlots = 0;

  /**
   * Takes the next piece of the file; returns the records and damage of every chunk it completes,
   * all at once, so callers should push pieces of bounded size (the upload path pushes the pieces
   * that the request body, gunzip or its 1 MiB file reads deliver).
   */
  push(bytes: Uint8Array): EvtxItem[] {
    const items: EvtxItem[] = [];
    let position = this.takeHeader(bytes, items);
    while (position < bytes.length) {
      if (this.chunkBytes === 0 && bytes.length - position >= CHUNK_SIZE) {
        // A whole chunk inside the piece is read where it is, without a copy.
        this.readSlot(bytes.subarray(position, position + CHUNK_SIZE), items);
        position += CHUNK_SIZE;
        continue;
      }
      this.chunk ??= new Uint8Array(CHUNK_SIZE);
      const count = Math.min(CHUNK_SIZE - this.chunkBytes, bytes.length - position);
      this.chunk.set(bytes.subarray(position, position + count), this.chunkBytes);
      this.chunkBytes += count;
      position += count;
      if (this.chunkBytes === CHUNK_SIZE) {
        this.readSlot(this.chunk, items);
        this.chunkBytes = 0;
      }
    }
    return items;
  }

  /** Ends the file: a last chunk cut short becomes a damage item ("chunk N: truncated ..."). */
  end(): EvtxItem[] {
    if (this.headerBytes < FILE_HEADER_SIZE) {
      throw new EvtxFormatError(this.headerBytes === 0 ? "The file is empty." : `The file ends inside the EVTX file header (${this.headerBytes} of ${FILE_HEADER_SIZE} bytes).`);
    }
    const items: EvtxItem[] = [];
    const rest = this.chunk?.subarray(0, this.chunkBytes);
    if (rest && !isZeroFilled(rest)) {
      this.reportZeroSlots(items);
      items.push(truncatedChunk(rest, this.chunkIndex));
    }
    this.chunkBytes = 0;
    this.zeroSlots = 0;
    return items;
  }

  /** Reads the next 64 KiB slot: a chunk, or a zero-filled slot that only a later used chunk shows to be damage. */
  private readSlot(bytes: Uint8Array, items: EvtxItem[]): void {
    if (isZeroFilled(bytes)) {
      this.zeroSlots++;
    } else {
      this.reportZeroSlots(items);
      readChunk(bytes, this.chunkIndex, items);
    }
    this.chunkIndex++;
  }

  /** The zero-filled slots before chunkIndex, now that a used chunk follows them, as damage. */
  private reportZeroSlots(items: EvtxItem[]): void {
    for (let index = this.chunkIndex - this.zeroSlots; index < this.chunkIndex; index++) items.push(zeroFilledChunk(index));
    this.zeroSlots = 0;
  }

  /** Consumes the file header's bytes from the start of `bytes`, checking it as it arrives; returns how many. */
  private takeHeader(bytes: Uint8Array, items: EvtxItem[]): number {
    const before = this.headerBytes;
    if (before >= FILE_HEADER_SIZE) return 0;
    const count = Math.min(FILE_HEADER_SIZE - before, bytes.length);
    if (before < FILE_HEADER_CHECKED) this.header.set(bytes.subarray(0, Math.min(count, FILE_HEADER_CHECKED - before)), before);
    this.headerBytes += count;
    // Refuse other formats as soon as their first differing byte arrives.
    const magicSeen = Math.min(this.headerBytes, MAGIC_BYTES.length);
    for (let index = before; index < magicSeen; index++) {
      if (this.header[index] !== MAGIC_BYTES[index]) throw new EvtxFormatError('Not an EVTX file: it does not start with "ElfFile".');
    }
    if (before < FILE_HEADER_CHECKED && this.headerBytes >= FILE_HEADER_CHECKED) {
      const stored = new DataView(this.header.buffer).getUint32(124, true);
      // The chunks carry their own checksums and are still worth reading.
      if (crc32(this.header, 0, 120) !== stored) items.push({ kind: "damage", message: "file header: checksum mismatch, chunks read anyway", recordsSkipped: 0 });
    }
    return count;
  }
}
