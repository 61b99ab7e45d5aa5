/**
 * What makes two rows the same event, whichever file they came from: uploading the same export
 * twice, or two overlapping exports, must store each event once. Defender's ReportId is only
 * unique per device and time, so it is one part among several.
 *
 * The store keeps an event's identity as (device name, time in µs, event key). The key is a
 * 53-bit hash of the remaining identifying fields: it only has to tell apart events of one device
 * in the same microsecond, where a chance collision (2^-53 per pair) is negligible, and an integer
 * key keeps the unique index small and its inserts local (rows of a device land together).
 */
import type { TelemetryEvent } from "./telemetry-event";

/** The identifying fields besides device name and time, in a fixed order. */
function identityFields(event: TelemetryEvent): readonly (string | number | null)[] {
  return [
    event.source,
    event.kind,
    event.deviceId,
    // The 7-digit text: finer than the microseconds of the index.
    event.timestamp,
    event.actionType,
    // Sysmon's: the record id of the log that recorded it, read from every form (event XML and
    // .evtx EventRecordID, nxlog's RecordNumber, Winlogbeat's winlog.record_id). It tells apart
    // events alike to the millisecond, which Sysmon's UtcTime cannot.
    event.reportId,
    event.initiatingProcessId,
    event.initiatingProcessCreationTime,
    event.initiatingProcessGuid,
    event.processId,
    event.processGuid,
    event.folderPath ?? event.fileName,
    event.remoteIp,
    event.remotePort,
    event.localIp,
    event.localPort,
  ];
}

export function eventKey(event: TelemetryEvent): number {
  return identityHash(identityFields(event));
}

const FIELD_SEPARATOR = 0x1f;
const NULL_FIELD = "\u0000";

/**
 * Two 32-bit lanes over the fields' UTF-16 code units, each field followed by a separator and
 * null as a lone NUL: FNV-1a (lane one) and a multiply-rotate lane with a final avalanche; 21
 * bits of the second lane and all 32 of the first make a safe integer. One loop over locals: it
 * runs for every uploaded row, and keys already stored must never change (tests pin values).
 */
export function identityHash(fields: readonly (string | number | null)[]): number {
  let fnv = 0x811c9dc5;
  let mix = 0x9747b28c;
  for (const field of fields) {
    const text = field === null ? NULL_FIELD : typeof field === "number" ? String(field) : field;
    for (let i = 0; i <= text.length; i++) {
      const unit = i < text.length ? text.charCodeAt(i) : FIELD_SEPARATOR;
      fnv = Math.imul(fnv ^ unit, 0x01000193);
      const mixed = Math.imul(mix ^ unit, 0x5bd1e995);
      mix = (mixed << 13) | (mixed >>> 19);
    }
  }
  mix = Math.imul(mix ^ (mix >>> 16), 0x85ebca6b);
  mix = Math.imul(mix ^ (mix >>> 13), 0xc2b2ae35);
  mix ^= mix >>> 16;
  return (mix & 0x1fffff) * 0x100000000 + (fnv >>> 0);
}

type IdentityField = string | number | null;

/**
 * identityHash of field lists that repeat: every event of a process carries the same process
 * context (long command lines and paths), and hashing it again for each event was a fifth of
 * ingestion. Remembers the last list seen per key (chosen fields joined) and answers its hash when
 * every field is equal again, so the answer is always identityHash's. It keeps the last list of
 * each key: make one per batch, so it holds nothing the batch does not (parsed fields may share
 * their input's text).
 */
export class RepeatedIdentityHashes {
  private readonly recent = new Map<string, { fields: IdentityField[]; hash: number }>();

  constructor(private readonly keyFields: readonly number[]) {}

  hash(fields: readonly IdentityField[]): number {
    const key = this.keyFields.map((index) => fields[index]).join("\u0000");
    const known = this.recent.get(key);
    if (known !== undefined && known.fields.length === fields.length && known.fields.every((field, index) => field === fields[index])) return known.hash;
    const hash = identityHash(fields);
    this.recent.set(key, { fields: [...fields], hash });
    return hash;
  }
}
