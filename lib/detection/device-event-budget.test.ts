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
  it("charges every distinct text its header and two bytes a character", () => {
    expect(distinctTextBytes(0)).toBe(16);
    expect(distinctTextBytes(10)).toBe(36);
    expect(distinctTextBytes(100_000)).toBe(200_016);
  });
});
