/**
 * BinXML substitution values rendered as text, as Windows' rendered event XML and libevtx's
 * `evtxexport -f xml` show them (python-evtx differs in places; see the oracle test):
 *
 * - strings: UTF-16LE (ANSI strings as Windows-1252), trailing NUL characters removed, nothing else;
 * - integers: decimal, signed types with their sign; size_t (4 or 8 bytes) decimal too;
 * - hex int32 / int64: "0x" and lowercase digits zero-padded to 8 / 16 digits ("0x0000001f");
 * - real32 / real64: the shortest decimal that reads back as the same double ("1.5", "1e-10"; a
 *   real32 is widened first, so 0.1f gives "0.10000000149011612" as python-evtx prints it, where
 *   libevtx prints "1.000000e-001");
 * - bool: "true" for any non-zero 32-bit value, else "false";
 * - binary: uppercase hex, two digits a byte ("00AB10");
 * - GUID: lowercase in braces ("{00112233-4455-6677-8899-aabbccddeeff}"), as Windows renders Sysmon's
 *   ProcessGuid in event XML and the JSON forms carry it (libevtx prints uppercase);
 * - FILETIME: ISO 8601 UTC with all 7 fractional digits of its 100 ns ticks ("2019-05-14T12:34:56.1234567Z"),
 *   the form wevtutil prints for TimeCreated/@SystemTime;
 * - SYSTEMTIME: ISO 8601 UTC with milliseconds ("2019-05-14T12:34:56.789Z");
 * - SID: "S-1-5-21-…", an authority of 2^32 or more in hex as Windows writes it;
 * - arrays (type | 0x80): one string per item, which the caller repeats its element or attribute for.
 */
import { BinXmlError, type ChunkData } from "./chunk-data";

export const VALUE_TYPE = {
  NULL: 0x00,
  STRING: 0x01,
  ANSI_STRING: 0x02,
  INT8: 0x03,
  UINT8: 0x04,
  INT16: 0x05,
  UINT16: 0x06,
  INT32: 0x07,
  UINT32: 0x08,
  INT64: 0x09,
  UINT64: 0x0a,
  REAL32: 0x0b,
  REAL64: 0x0c,
  BOOL: 0x0d,
  BINARY: 0x0e,
  GUID: 0x0f,
  SIZE_T: 0x10,
  FILETIME: 0x11,
  SYSTEMTIME: 0x12,
  SID: 0x13,
  HEX_INT32: 0x14,
  HEX_INT64: 0x15,
  BINXML: 0x21,
} as const;
export const ARRAY_FLAG = 0x80;

/** Byte sizes of the fixed-size types, 0 for the others. */
const FIXED_SIZE = new Uint8Array(0x16);
for (const [type, size] of [
  [VALUE_TYPE.INT8, 1],
  [VALUE_TYPE.UINT8, 1],
  [VALUE_TYPE.INT16, 2],
  [VALUE_TYPE.UINT16, 2],
  [VALUE_TYPE.INT32, 4],
  [VALUE_TYPE.UINT32, 4],
  [VALUE_TYPE.INT64, 8],
  [VALUE_TYPE.UINT64, 8],
  [VALUE_TYPE.REAL32, 4],
  [VALUE_TYPE.REAL64, 8],
  [VALUE_TYPE.BOOL, 4],
  [VALUE_TYPE.GUID, 16],
  [VALUE_TYPE.FILETIME, 8],
  [VALUE_TYPE.SYSTEMTIME, 16],
  [VALUE_TYPE.HEX_INT32, 4],
  [VALUE_TYPE.HEX_INT64, 8],
]) {
  FIXED_SIZE[type] = size;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).toUpperCase().padStart(2, "0"));
/**
 * Windows-1252's characters for bytes 0x80..0x9F (the rest are Latin-1). Node's TextDecoder
 * decodes "windows-1252" as Latin-1 in some versions, so the table is here.
 */
const WINDOWS_1252_HIGH = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";
/** Characters decoded per String.fromCharCode call, well under engines' argument limits. */
const DECODE_BATCH = 4096;
/** Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01. */
const FILETIME_EPOCH_SECONDS = 11644473600n;
const TICKS_PER_SECOND = 10000000n;

function typeName(type: number): string {
  return `0x${type.toString(16).padStart(2, "0")}`;
}

/** The text of the value of `type` in bytes[start, start + size). BinXML values are the caller's. */
export function renderValue(data: ChunkData, type: number, start: number, size: number): string {
  switch (type) {
    case VALUE_TYPE.NULL:
      return "";
    case VALUE_TYPE.STRING:
      return data.utf16(start, withoutTrailingNuls(data.bytes, start, size & ~1, 2) - start);
    case VALUE_TYPE.ANSI_STRING:
      return windows1252(data.bytes, start, withoutTrailingNuls(data.bytes, start, size, 1));
    case VALUE_TYPE.BINARY:
      return hex(data.bytes, start, size);
    case VALUE_TYPE.SID:
      if (sidLength(data, start, size) > size) throw new BinXmlError(`SID of ${size} bytes is cut short`);
      return sid(data, start);
    case VALUE_TYPE.SIZE_T:
      if (size === 4) return String(data.view.getUint32(start, true));
      if (size === 8) return data.view.getBigUint64(start, true).toString();
      throw new BinXmlError(`size_t value of ${size} bytes`);
  }
  if (type >= FIXED_SIZE.length || FIXED_SIZE[type] === 0) throw new BinXmlError(`unsupported value type ${typeName(type)}`);
  if (size !== FIXED_SIZE[type]) throw new BinXmlError(`value of type ${typeName(type)} has ${size} bytes, not ${FIXED_SIZE[type]}`);
  return renderFixed(data, type, start);
}

/** The items of an array value (`type` has ARRAY_FLAG), each rendered as its scalar type is. */
export function renderArrayItems(data: ChunkData, type: number, start: number, size: number): string[] {
  const itemType = type & ~ARRAY_FLAG;
  const end = start + size;
  if (itemType === VALUE_TYPE.STRING) return splitAtNul(data.utf16(start, size), size >= 2 && data.bytes[end - 1] === 0 && data.bytes[end - 2] === 0);
  if (itemType === VALUE_TYPE.ANSI_STRING) return splitAtNul(windows1252(data.bytes, start, end), size >= 1 && data.bytes[end - 1] === 0);
  const items: string[] = [];
  if (itemType === VALUE_TYPE.SID) {
    for (let at = start; at < end; at += sidLength(data, at, end - at)) {
      if (sidLength(data, at, end - at) > end - at) throw new BinXmlError("SID array item is cut short");
      items.push(sid(data, at));
    }
    return items;
  }
  const itemSize = itemType < FIXED_SIZE.length ? FIXED_SIZE[itemType] : 0;
  if (itemSize === 0) throw new BinXmlError(`unsupported array type ${typeName(type)}`);
  if (size % itemSize !== 0) throw new BinXmlError(`array of type ${typeName(type)} has ${size} bytes, not a multiple of ${itemSize}`);
  for (let at = start; at < end; at += itemSize) items.push(renderFixed(data, itemType, at));
  return items;
}

/** Array strings are NUL-terminated: the terminator of the last one makes no extra empty item. */
function splitAtNul(text: string, terminated: boolean): string[] {
  if (text === "") return [];
  const items = text.split("\0");
  if (terminated) items.pop();
  return items;
}

function windows1252(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  const codes: number[] = [];
  for (let batch = start; batch < end; batch += DECODE_BATCH) {
    codes.length = 0;
    for (let index = batch; index < Math.min(end, batch + DECODE_BATCH); index++) {
      const byte = bytes[index];
      codes.push(byte >= 0x80 && byte < 0xa0 ? WINDOWS_1252_HIGH.charCodeAt(byte - 0x80) : byte);
    }
    text += String.fromCharCode(...codes);
  }
  return text;
}

function withoutTrailingNuls(bytes: Uint8Array, start: number, size: number, unit: 1 | 2): number {
  let end = start + size;
  while (end - unit >= start && bytes[end - 1] === 0 && bytes[end - unit] === 0) end -= unit;
  return end;
}

function renderFixed(data: ChunkData, type: number, at: number): string {
  const view = data.view;
  switch (type) {
    case VALUE_TYPE.INT8:
      return String(view.getInt8(at));
    case VALUE_TYPE.UINT8:
      return String(view.getUint8(at));
    case VALUE_TYPE.INT16:
      return String(view.getInt16(at, true));
    case VALUE_TYPE.UINT16:
      return String(view.getUint16(at, true));
    case VALUE_TYPE.INT32:
      return String(view.getInt32(at, true));
    case VALUE_TYPE.UINT32:
      return String(view.getUint32(at, true));
    case VALUE_TYPE.INT64:
      return view.getBigInt64(at, true).toString();
    case VALUE_TYPE.UINT64:
      return view.getBigUint64(at, true).toString();
    case VALUE_TYPE.REAL32:
      return String(view.getFloat32(at, true));
    case VALUE_TYPE.REAL64:
      return String(view.getFloat64(at, true));
    case VALUE_TYPE.BOOL:
      return view.getUint32(at, true) !== 0 ? "true" : "false";
    case VALUE_TYPE.GUID:
      return guid(data.bytes, at);
    case VALUE_TYPE.FILETIME:
      return filetime(view.getBigUint64(at, true));
    case VALUE_TYPE.SYSTEMTIME:
      return systemtime(view, at);
    case VALUE_TYPE.HEX_INT32:
      return `0x${view.getUint32(at, true).toString(16).padStart(8, "0")}`;
    case VALUE_TYPE.HEX_INT64:
      return `0x${view.getUint32(at + 4, true).toString(16).padStart(8, "0")}${view.getUint32(at, true).toString(16).padStart(8, "0")}`;
  }
  throw new BinXmlError(`unsupported value type ${typeName(type)}`);
}

function hex(bytes: Uint8Array, start: number, size: number): string {
  const digits: string[] = new Array(size);
  for (let index = 0; index < size; index++) digits[index] = HEX[bytes[start + index]];
  return digits.join("");
}

/** A GUID's first three fields are little-endian, the last eight bytes in order. */
function guid(b: Uint8Array, at: number): string {
  return (
    `{${HEX[b[at + 3]]}${HEX[b[at + 2]]}${HEX[b[at + 1]]}${HEX[b[at]]}-${HEX[b[at + 5]]}${HEX[b[at + 4]]}-${HEX[b[at + 7]]}${HEX[b[at + 6]]}-` +
    `${HEX[b[at + 8]]}${HEX[b[at + 9]]}-${HEX[b[at + 10]]}${HEX[b[at + 11]]}${HEX[b[at + 12]]}${HEX[b[at + 13]]}${HEX[b[at + 14]]}${HEX[b[at + 15]]}}`
  ).toLowerCase();
}

/** FILETIME ticks (100 ns since 1601) as ISO 8601 UTC with 7 fractional digits; every tick kept. */
export function filetime(ticks: bigint): string {
  const seconds = ticks / TICKS_PER_SECOND;
  const fraction = String(ticks - seconds * TICKS_PER_SECOND).padStart(7, "0");
  // Years past 9999 come out with toISOString's six-digit "+YYYYYY" form; FILETIME reaches 60056.
  const iso = new Date(Number(seconds - FILETIME_EPOCH_SECONDS) * 1000).toISOString();
  return `${iso.slice(0, -4)}${fraction}Z`;
}

function systemtime(view: DataView, at: number): string {
  const part = (index: number, digits: number) => String(view.getUint16(at + index * 2, true)).padStart(digits, "0");
  // Fields: year, month, day of week (not shown), day, hour, minute, second, millisecond.
  return `${part(0, 4)}-${part(1, 2)}-${part(3, 2)}T${part(4, 2)}:${part(5, 2)}:${part(6, 2)}.${part(7, 3)}Z`;
}

/** Bytes of the SID at `at` (revision, sub-authority count, 6-byte authority, 4 bytes a sub-authority); at least 8. */
function sidLength(data: ChunkData, at: number, available: number): number {
  return available < 8 ? 8 : 8 + 4 * data.bytes[at + 1];
}

function sid(data: ChunkData, at: number): string {
  const view = data.view;
  // The 48-bit identifier authority is big-endian.
  const authority = view.getUint16(at + 2, false) * 2 ** 32 + view.getUint32(at + 4, false);
  let text = `S-${data.bytes[at]}-${authority < 2 ** 32 ? authority : `0x${authority.toString(16).toUpperCase().padStart(12, "0")}`}`;
  const count = data.bytes[at + 1];
  for (let index = 0; index < count; index++) text += `-${view.getUint32(at + 8 + 4 * index, true)}`;
  return text;
}
