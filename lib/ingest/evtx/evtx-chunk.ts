/**
 * One 64 KiB chunk of an EVTX file: header checks, then its event records, each flattened or
 * reported as damage. A chunk whose signature or checksums are wrong is skipped whole; a record
 * that does not parse, or flattens to more text than any reader takes, is skipped alone.
 *
 * Chunk header: "ElfChnk\0", first and last record number (8 each), first and last record
 * identifier (8 each), header size (4), last record offset (4), free space offset (4), records
 * checksum (4; CRC-32 of bytes 512 to the free space offset), ..., header checksum at 124 (CRC-32
 * of bytes 0..120 and 128..512). Records follow from 512: "**\0\0", size (4, the whole record),
 * record number (8), written FILETIME (8), BinXML, and the size again.
 */
import { flattenEventRecord } from "../windows-event-record";
import { attributeValue, readRecordElements } from "./binxml";
import { BinXmlError, ChunkData, ExpansionLimitError } from "./chunk-data";
import { crc32 } from "./crc32";
import type { EvtxDamage, EvtxItem } from "./evtx-stream-parser";

export const CHUNK_SIZE = 0x10000;
const CHUNK_HEADER_SIZE = 512;
const CHUNK_SIGNATURE = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"
const RECORD_SIGNATURE = 0x00002a2a; // "**\0\0"
const RECORD_HEADER_SIZE = 24;
const RECORD_MIN_SIZE = RECORD_HEADER_SIZE + 4;
/** The most records a chunk can hold, to tell a believable record range from garbage. */
const MAX_RECORDS = Math.floor((CHUNK_SIZE - CHUNK_HEADER_SIZE) / RECORD_MIN_SIZE);
/** Characters of field names and values one record may flatten to: maxRecordChars, as for the other formats. */
const MAX_RECORD_CHARS = 4 * 1024 * 1024;

/**
 * Reads a whole chunk (`bytes` is CHUNK_SIZE long, not zero-filled), appending its records and
 * damage to `items`.
 */
export function readChunk(bytes: Uint8Array, index: number, items: EvtxItem[]): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerProblem = chunkHeaderProblem(bytes, view);
  if (headerProblem) {
    items.push(damage(index, headerProblem, null));
    return;
  }
  const declared = declaredRecordCount(view);
  const freeSpace = view.getUint32(48, true);
  if (freeSpace < CHUNK_HEADER_SIZE || freeSpace > CHUNK_SIZE) {
    items.push(damage(index, `free space offset 0x${freeSpace.toString(16)} is outside the chunk`, declared));
    return;
  }
  if (crc32(bytes, CHUNK_HEADER_SIZE, freeSpace) !== view.getUint32(52, true)) {
    items.push(damage(index, "checksum mismatch", declared));
    return;
  }
  readRecords(new ChunkData(bytes), index, freeSpace, items);
}

/** The damage item for a chunk cut short by the end of the file (not zero-filled). */
export function truncatedChunk(bytes: Uint8Array, index: number): EvtxDamage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = bytes.length >= CHUNK_HEADER_SIZE && chunkHeaderProblem(bytes, view) === null ? declaredRecordCount(view) : null;
  return damage(index, `truncated (${bytes.length} of ${CHUNK_SIZE} bytes)`, declared);
}

function readRecords(data: ChunkData, index: number, freeSpace: number, items: EvtxItem[]): void {
  const view = data.view;
  const lastDeclared = view.getBigUint64(16, true);
  let lastRead = view.getBigUint64(8, true) - 1n;
  /** Records the header announces after the last one read, if believable. */
  const notRead = () => {
    const count = lastDeclared - lastRead;
    return count >= 0n && count <= BigInt(MAX_RECORDS) ? Number(count) : null;
  };
  let offset = CHUNK_HEADER_SIZE;
  while (offset + RECORD_HEADER_SIZE <= freeSpace) {
    const signature = view.getUint32(offset, true);
    // Archived logs put the free space offset at the chunk end, after zero fill.
    if (signature === 0) break;
    const size = view.getUint32(offset + 4, true);
    if (signature !== RECORD_SIGNATURE || size < RECORD_MIN_SIZE || size > freeSpace - offset || view.getUint32(offset + size - 4, true) !== size) {
      items.push(damage(index, `bad record header at offset 0x${offset.toString(16)}`, notRead()));
      return;
    }
    const number = view.getBigUint64(offset + 8, true);
    try {
      const [event] = readRecordElements(data, offset + RECORD_HEADER_SIZE, offset + size - 4);
      const record = event ? flattenEventRecord(event, attributeValue) : null;
      if (!record) items.push(damage(index, `record ${number}: no event with a System/EventID`, 1));
      else if (recordChars(record) > MAX_RECORD_CHARS) items.push(damage(index, `record ${number}: longer than ${MAX_RECORD_CHARS / 1024 / 1024} MiB of text`, 1));
      else items.push({ kind: "record", recordNumber: Number(number), record });
    } catch (error) {
      if (error instanceof ExpansionLimitError) {
        items.push(damage(index, `record ${number}: ${error.message}`, notRead()));
        return;
      }
      if (!(error instanceof BinXmlError)) throw error;
      items.push(damage(index, `record ${number}: ${error.message}`, 1));
    }
    lastRead = number;
    offset += size;
  }
  const missing = notRead();
  if (missing !== null && missing > 0) items.push(damage(index, `records end early at offset 0x${offset.toString(16)}`, missing));
}

function chunkHeaderProblem(bytes: Uint8Array, view: DataView): string | null {
  if (CHUNK_SIGNATURE.some((byte, index) => bytes[index] !== byte)) return "bad signature";
  const checksum = crc32(bytes, 128, CHUNK_HEADER_SIZE, crc32(bytes, 0, 120));
  if (checksum !== view.getUint32(124, true)) return "header checksum mismatch";
  return null;
}

/** Records the header says the chunk holds (last - first + 1), or null if that is not believable. */
function declaredRecordCount(view: DataView): number | null {
  const count = view.getBigUint64(16, true) - view.getBigUint64(8, true) + 1n;
  return count >= 0n && count <= BigInt(MAX_RECORDS) ? Number(count) : null;
}

/** The damage item for a zero-filled slot that a used chunk follows: whatever it held is gone. */
export function zeroFilledChunk(index: number): EvtxDamage {
  return damage(index, "zero-filled", null);
}

function damage(chunk: number, problem: string, recordsSkipped: number | null): EvtxDamage {
  const skipped = recordsSkipped === null ? "records unknown" : `${recordsSkipped} record${recordsSkipped === 1 ? "" : "s"} skipped`;
  return { kind: "damage", message: `chunk ${chunk}: ${problem}, ${skipped}`, recordsSkipped };
}

/** Whether every byte is zero: a slot never written (or the zero tail of a file). */
export function isZeroFilled(bytes: Uint8Array): boolean {
  for (let index = 0; index < bytes.length; index++) if (bytes[index] !== 0) return false;
  return true;
}

/** Characters of the record's field names and values. */
function recordChars(record: Record<string, string>): number {
  let chars = 0;
  for (const name in record) chars += name.length + record[name].length;
  return chars;
}
