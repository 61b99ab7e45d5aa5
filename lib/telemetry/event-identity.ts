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
  const hash = new IdentityHash();
  for (const field of identityFields(event)) hash.addField(field);
  return hash.value();
}

const FIELD_SEPARATOR = 0x1f;
const NULL_MARKER = 0x00;

/**
 * Two 32-bit lanes over UTF-16 code units: FNV-1a (lane one, checkable against the published
 * test vectors) and a multiply-rotate lane with a final avalanche; 21 bits of the second lane and
 * all 32 of the first make a safe integer.
 */
export class IdentityHash {
  private fnv = 0x811c9dc5;
  private mix = 0x9747b28c;

  addText(text: string): void {
    for (let i = 0; i < text.length; i++) this.addUnit(text.charCodeAt(i));
  }

  addField(field: string | number | null): void {
    if (field === null) this.addUnit(NULL_MARKER);
    else this.addText(typeof field === "number" ? String(field) : field);
    this.addUnit(FIELD_SEPARATOR);
  }

  private addUnit(unit: number): void {
    this.fnv = Math.imul(this.fnv ^ unit, 0x01000193);
    const mixed = Math.imul(this.mix ^ unit, 0x5bd1e995);
    this.mix = (mixed << 13) | (mixed >>> 19);
  }

  /** Lane one alone: FNV-1a 32 of everything added. */
  fnv1a32(): number {
    return this.fnv >>> 0;
  }

  value(): number {
    let mix = this.mix;
    mix = Math.imul(mix ^ (mix >>> 16), 0x85ebca6b);
    mix = Math.imul(mix ^ (mix >>> 13), 0xc2b2ae35);
    mix ^= mix >>> 16;
    return (mix & 0x1fffff) * 0x100000000 + (this.fnv >>> 0);
  }
}
