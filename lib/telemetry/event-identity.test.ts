import { describe, expect, it } from "vitest";
import { buildTestEvent } from "./build-test-event";
import { eventKey, IdentityHash } from "./event-identity";

describe("IdentityHash", () => {
  it("computes FNV-1a 32 in its first lane (published test vectors)", () => {
    const of = (text: string) => {
      const hash = new IdentityHash();
      hash.addText(text);
      return hash.fnv1a32();
    };
    expect(of("")).toBe(0x811c9dc5);
    expect(of("a")).toBe(0xe40c292c);
    expect(of("foobar")).toBe(0xbf9cf968);
  });

  it("keeps field boundaries and null apart from the empty text", () => {
    const of = (...fields: (string | number | null)[]) => {
      const hash = new IdentityHash();
      for (const field of fields) hash.addField(field);
      return hash.value();
    };
    expect(of("ab", "c")).not.toBe(of("a", "bc"));
    expect(of(null)).not.toBe(of(""));
    expect(of(443)).toBe(of("443"));
    expect(Number.isSafeInteger(of("x"))).toBe(true);
  });
});

describe("eventKey", () => {
  const connection = buildTestEvent("network", { at: "2024-01-01T10:00:00.1234567Z", deviceId: "d1", reportId: "55", initiatingProcessId: 4, remoteIp: "198.51.100.1", remotePort: 443, localPort: 50000 });

  it("is the same for the same event parsed from another file", () => {
    expect(eventKey({ ...connection, id: 99, remoteIpType: "Public", initiatingProcessCommandLine: "x" })).toBe(eventKey(connection));
  });

  it("differs when the same ReportId comes from another device or time", () => {
    expect(eventKey({ ...connection, deviceId: "d2" })).not.toBe(eventKey(connection));
    // The seventh fractional digit is below the store's microseconds: the key must see it.
    expect(eventKey({ ...connection, timestamp: "2024-01-01T10:00:00.1234568Z" })).not.toBe(eventKey(connection));
  });

  it("tells apart two connections of one process in the same instant by their local port", () => {
    expect(eventKey({ ...connection, localPort: 50001 })).not.toBe(eventKey(connection));
  });
});
