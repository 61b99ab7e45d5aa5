import { describe, expect, it } from "vitest";
import { distinctTextBytes, maxEventsPerDevice } from "./device-event-budget";

const MIB = 1024 * 1024;

describe("maxEventsPerDevice", () => {
  it("divides the heap left after the server's reserve by the cost of an event", () => {
    // 192 MiB - 96 MiB = 100,663,296 bytes / 900 = 111,848.1.
    expect(maxEventsPerDevice(192 * MIB)).toBe(111_848);
    // 512 MiB: 416 MiB = 436,207,616 bytes / 900 = 484,675.1.
    expect(maxEventsPerDevice(512 * MIB)).toBe(484_675);
  });

  it("is zero, not negative, for a heap smaller than the reserve", () => {
    expect(maxEventsPerDevice(64 * MIB)).toBe(0);
  });
});

describe("distinctTextBytes", () => {
  it("counts only texts longer than ordinary names and paths, two bytes a character", () => {
    expect(distinctTextBytes(1024)).toBe(0);
    expect(distinctTextBytes(1025)).toBe(2050);
    expect(distinctTextBytes(100_000)).toBe(200_000);
  });
});
