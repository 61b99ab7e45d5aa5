/**
 * Sysmon clock reconciliation. In some captures Sysmon stamps one kind of event (`UtcTime`) with a
 * skewed clock: in OTRF's Metasploit capture both network events of the payload are dated five
 * days before its own process creation, under the same ProcessGuid, so no correlation window
 * after its crypto loads can see them. The collector's time (TimeCreated, @timestamp, EventTime)
 * runs on one clock for every event, but often not on UTC (local time labelled Z, hours off).
 *
 * Per upload and host, the offset between the collector's time and `UtcTime` is estimated for each
 * kind of event (Sysmon 1, 3, 7). An event whose `UtcTime` is before its own process's creation
 * (same ProcessGuid, seen earlier in the upload), of a kind whose offset is not the process
 * creations' offset on that host, is placed at the collector's time less the creations' offset
 * (the clock its process is dated by), if that puts it at or after the creation. `UtcTime` is
 * kept beside it (`clockCorrectedFrom`).
 *
 * Streaming: one upload's events in file order, as collectors write them (a process's creation
 * before its connections). Memory is bounded per host (a sample of offsets for each kind) and
 * overall for creations (the latest processes').
 *
 * Pure.
 */
import { formatMicros, MICROS_PER_SECOND, parseIsoTimestamp } from "../telemetry/iso-timestamp";
import type { TelemetryEvent, TelemetryKind } from "../telemetry/telemetry-event";

/** Offsets sampled per host and kind: the first ones, enough for a stable median, and 2.4 KB a host at most. */
const MAX_OFFSET_SAMPLES = 101;
/** Process creations remembered (the oldest are forgotten first). */
const MAX_REMEMBERED_CREATIONS = 100_000;
/** Two kinds' offsets closer than this are one clock (collectors log a little after the event). */
const SAME_CLOCK_US = 60 * MICROS_PER_SECOND;

/** Collector time minus UtcTime, in microseconds, of one host's events of one kind. */
class OffsetSample {
  private readonly offsets: number[] = [];
  private median: number | null = null;

  add(offsetUs: number): void {
    if (this.offsets.length >= MAX_OFFSET_SAMPLES) return;
    this.offsets.push(offsetUs);
    this.median = null;
  }

  typical(): number {
    if (this.median === null) {
      const sorted = [...this.offsets].sort((a, b) => a - b);
      const middle = sorted.length >> 1;
      // The lower middle of an even count: a whole microsecond, as event times are.
      this.median = sorted.length % 2 === 1 ? sorted[middle] : sorted[middle - 1];
    }
    return this.median;
  }
}

export class SysmonClock {
  /** By host, then kind. */
  private readonly offsets = new Map<string, Map<TelemetryKind, OffsetSample>>();
  /** UtcTime of each process creation, by host and lower-cased ProcessGuid. */
  private readonly creations = new Map<string, number>();

  /** The event as it should be stored: placed by the collector's time when its UtcTime contradicts its own process. */
  place(event: TelemetryEvent): TelemetryEvent {
    if (event.source !== "sysmon" || event.loggedAt === null) return event;
    const loggedUs = parseIsoTimestamp(event.loggedAt)?.us;
    if (loggedUs === undefined) return event;
    const offsets = this.sample(event.deviceName, event.kind);
    offsets.add(loggedUs - event.timeUs);
    if (event.kind === "process") {
      if (event.processGuid) this.rememberCreation(processKey(event.deviceName, event.processGuid), event.timeUs);
      return event;
    }
    const createdUs = event.initiatingProcessGuid ? this.creations.get(processKey(event.deviceName, event.initiatingProcessGuid)) : undefined;
    if (createdUs === undefined || event.timeUs >= createdUs) return event;
    const creationOffset = this.sample(event.deviceName, "process").typical();
    if (Math.abs(offsets.typical() - creationOffset) < SAME_CLOCK_US) return event;
    const placedUs = loggedUs - creationOffset;
    if (placedUs < createdUs) return event;
    return { ...event, timeUs: placedUs, timestamp: formatMicros(placedUs), clockCorrectedFrom: event.timestamp };
  }

  private sample(deviceName: string, kind: TelemetryKind): OffsetSample {
    let host = this.offsets.get(deviceName);
    if (!host) this.offsets.set(deviceName, (host = new Map()));
    let sample = host.get(kind);
    if (!sample) host.set(kind, (sample = new OffsetSample()));
    return sample;
  }

  private rememberCreation(key: string, timeUs: number): void {
    this.creations.delete(key);
    this.creations.set(key, timeUs);
    if (this.creations.size > MAX_REMEMBERED_CREATIONS) this.creations.delete(this.creations.keys().next().value as string);
  }
}

function processKey(deviceName: string, processGuid: string): string {
  return `${deviceName}\u0000${processGuid.toLowerCase()}`;
}
