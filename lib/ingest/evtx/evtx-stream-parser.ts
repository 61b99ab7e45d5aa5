/**
 * A streaming reader of Windows event log files (.evtx), fed the file in pieces of any size (an
 * HTTP body, say) and returning each event record, flattened as the other Sysmon readers flatten
 * theirs (see flatten-event.ts), as soon as its chunk is complete. It holds at most one 64 KiB
 * chunk besides the piece being pushed. Pure: no I/O.
 *
 * Layout: a 4096-byte file header ("ElfFile\0", ..., CRC-32 of its first 120 bytes at 124), then
 * 64 KiB chunks, each read on its own (see evtx-chunk.ts). The header's chunk count can be stale in
 * logs that were not closed cleanly, so chunks are found by their signature instead; zero-filled
 * slots after the last chunk are skipped.
 *
 * Damage never stops the reading: a chunk with a bad signature or checksum, or cut short by the end
 * of the file, and a record that does not parse, each become a damage item and reading goes on.
 * Only input that is not EVTX at all (wrong magic, or shorter than the file header) throws
 * EvtxFormatError, after which the parser is not to be used again.
 */
import { crc32 } from "./crc32";
import { CHUNK_SIZE, readChunk, truncatedChunk } from "./evtx-chunk";

export const EVTX_MAGIC = "ElfFile\0";
const MAGIC_BYTES = Array.from(EVTX_MAGIC, (character) => character.charCodeAt(0));
const FILE_HEADER_SIZE = 4096;
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
  /** 0-based index of the chunk, or null for the file header. */
  chunk: number | null;
  /** e.g. "chunk 7: checksum mismatch, 112 records skipped" */
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

  /** Takes the next piece of the file; returns the records and damage of every chunk it completes. */
  push(bytes: Uint8Array): EvtxItem[] {
    const items: EvtxItem[] = [];
    let position = this.takeHeader(bytes, items);
    while (position < bytes.length) {
      if (this.chunkBytes === 0 && bytes.length - position >= CHUNK_SIZE) {
        // A whole chunk inside the piece is read where it is, without a copy.
        readChunk(bytes.subarray(position, position + CHUNK_SIZE), this.chunkIndex++, items);
        position += CHUNK_SIZE;
        continue;
      }
      this.chunk ??= new Uint8Array(CHUNK_SIZE);
      const count = Math.min(CHUNK_SIZE - this.chunkBytes, bytes.length - position);
      this.chunk.set(bytes.subarray(position, position + count), this.chunkBytes);
      this.chunkBytes += count;
      position += count;
      if (this.chunkBytes === CHUNK_SIZE) {
        readChunk(this.chunk, this.chunkIndex++, items);
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
    if (this.chunk && this.chunkBytes > 0) {
      const truncated = truncatedChunk(this.chunk.subarray(0, this.chunkBytes), this.chunkIndex);
      if (truncated) items.push(truncated);
    }
    this.chunkBytes = 0;
    return items;
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
      if (crc32(this.header, 0, 120) !== stored) items.push({ kind: "damage", chunk: null, message: "file header: checksum mismatch, chunks read anyway", recordsSkipped: 0 });
    }
    return count;
  }
}
