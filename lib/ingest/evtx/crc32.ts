/**
 * CRC-32 as RFC 1952 (gzip) defines it: reflected polynomial 0xEDB88320, initial value and final
 * XOR 0xFFFFFFFF. EVTX checksums its file header, chunk headers and chunk record data with it.
 *
 * Computed four bytes a step ("slicing by 4"): TABLES[k][b] is the CRC contribution of byte b
 * followed by k zero bytes, so four table lookups replace four dependent single-byte steps.
 */

const TABLES = buildTables();

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 4 }, () => new Int32Array(256));
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
    tables[0][byte] = crc;
  }
  for (let byte = 0; byte < 256; byte++) {
    for (let k = 1; k < 4; k++) tables[k][byte] = tables[0][tables[k - 1][byte] & 0xff] ^ (tables[k - 1][byte] >>> 8);
  }
  return tables;
}

/**
 * The CRC-32 of bytes[start, end). Pass an earlier result as `previous` to continue it over a
 * further range, as the chunk header checksum does over two disjoint ranges.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  const [t0, t1, t2, t3] = TABLES;
  let crc = ~previous;
  let index = start;
  for (; index + 4 <= end; index += 4) {
    crc ^= bytes[index] | (bytes[index + 1] << 8) | (bytes[index + 2] << 16) | (bytes[index + 3] << 24);
    crc = t3[crc & 0xff] ^ t2[(crc >>> 8) & 0xff] ^ t1[(crc >>> 16) & 0xff] ^ t0[crc >>> 24];
  }
  for (; index < end; index++) crc = t0[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
