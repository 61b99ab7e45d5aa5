import { describe, expect, it } from "vitest";
import { buildTestEvent } from "./build-test-event";
import { eventIdentity } from "./event-identity";

describe("eventIdentity", () => {
  const connection = buildTestEvent("network", { at: "2024-01-01T10:00:00.1234567Z", deviceId: "d1", reportId: "55", initiatingProcessId: 4, remoteIp: "198.51.100.1", remotePort: 443, localPort: 50000 });

  it("is the same for the same event parsed from another file", () => {
    expect(eventIdentity({ ...connection, id: 99, remoteIpType: "Public", initiatingProcessCommandLine: "x" })).toBe(eventIdentity(connection));
  });

  it("differs when the same ReportId comes from another device or time", () => {
    expect(eventIdentity({ ...connection, deviceId: "d2" })).not.toBe(eventIdentity(connection));
    expect(eventIdentity({ ...connection, timestamp: "2024-01-01T10:00:00.1234568Z" })).not.toBe(eventIdentity(connection));
  });

  it("tells apart two connections of one process in the same instant by their local port", () => {
    expect(eventIdentity({ ...connection, localPort: 50001 })).not.toBe(eventIdentity(connection));
  });
});
