import { describe, expect, it } from "vitest";
import { buildTestEvent } from "../telemetry/build-test-event";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { SysmonClock } from "./sysmon-clock";

const PAYLOAD = "{625b42a0-747b-62f1-2406-000000000900}";

/** A Sysmon event as OTRF's Metasploit capture has it: UtcTime, and the collector's time 19 h behind, labelled Z. */
const sysmon = (kind: TelemetryEvent["kind"], utcTime: string, loggedAt: string, guid = PAYLOAD) =>
  buildTestEvent(kind, {
    at: utcTime,
    loggedAt,
    source: "sysmon",
    deviceName: "Pedro01",
    ...(kind === "process" ? { processGuid: guid } : { initiatingProcessGuid: guid }),
  });

const creation = () => sysmon("process", "2022-08-08T20:39:23.903Z", "2022-08-08T01:39:23.967Z");
/** Its first network event as captured: UtcTime five days early, the collector's time 3 s after the creation's. */
const skewedConnection = () => sysmon("network", "2022-08-02T21:04:19.787Z", "2022-08-08T01:39:27.001Z");

describe("SysmonClock", () => {
  it("places an event dated before its own process's creation by the collector's time, less the host's offset for creations, and keeps UtcTime beside it", () => {
    const clock = new SysmonClock();
    clock.place(creation());
    // The creations' offset is 01:39:23.967 − 20:39:23.903 the day before = −18:59:59.936, so the
    // connection logged at 01:39:27.001 happened at 20:39:26.937.
    const placed = clock.place(skewedConnection());
    expect([placed.timestamp, placed.clockCorrectedFrom]).toEqual(["2022-08-08T20:39:26.9370000Z", "2022-08-02T21:04:19.7870000Z"]);
    expect(placed.timeUs).toBe(Date.parse("2022-08-08T20:39:26.937Z") * 1000);
  });

  it("takes the lower middle of an even number of offsets, so a placed time stays a whole microsecond", () => {
    const clock = new SysmonClock();
    clock.place(sysmon("process", "2022-08-08T20:00:00.000Z", "2022-08-08T01:00:00.100Z", "{a}"));
    clock.place(creation());
    // Offsets −18:59:59.936 and −18:59:59.900: the lower is −18:59:59.936, as with the creation alone.
    expect(clock.place(skewedConnection()).timestamp).toBe("2022-08-08T20:39:26.9370000Z");
  });

  it("estimates the creations' offset as the median over the host's creations", () => {
    const clock = new SysmonClock();
    clock.place(sysmon("process", "2022-08-08T20:00:00.000Z", "2022-08-08T01:00:00.100Z", "{a}"));
    clock.place(sysmon("process", "2022-08-08T20:10:00.000Z", "2022-08-08T01:10:05.000Z", "{b}"));
    clock.place(creation());
    // Offsets −18:59:59.900, −18:59:55.000 and −18:59:59.936: the median is −18:59:59.900.
    expect(clock.place(skewedConnection()).timestamp).toBe("2022-08-08T20:39:26.9010000Z");
  });

  it("leaves an event after its process's creation as Sysmon dated it", () => {
    const clock = new SysmonClock();
    clock.place(creation());
    const later = sysmon("network", "2022-08-08T20:39:27.000Z", "2022-08-08T01:39:27.050Z");
    expect(clock.place(later)).toBe(later);
  });

  it("leaves an early event whose kind runs on the creations' clock: its process is not the one that contradicts it", () => {
    const clock = new SysmonClock();
    clock.place(creation());
    // Dated 2 s before the creation, logged on the creations' clock too.
    const early = sysmon("image_load", "2022-08-08T20:39:21.900Z", "2022-08-08T01:39:21.964Z");
    expect(clock.place(early)).toBe(early);
  });

  it("leaves an event whose process's creation was not seen, or that the collector's time would still place before it", () => {
    const clock = new SysmonClock();
    const orphan = skewedConnection();
    expect(clock.place(orphan)).toBe(orphan);
    clock.place(creation());
    const loggedBefore = sysmon("network", "2022-08-02T21:04:19.787Z", "2022-08-08T01:39:20.000Z");
    expect(clock.place(loggedBefore)).toBe(loggedBefore);
  });

  it("keeps hosts apart and leaves Defender's events alone", () => {
    const clock = new SysmonClock();
    clock.place(creation());
    const otherHost = { ...skewedConnection(), deviceName: "Other01" };
    expect(clock.place(otherHost)).toBe(otherHost);
    const defender = { ...skewedConnection(), source: "mde" as const };
    expect(clock.place(defender)).toBe(defender);
  });
});
