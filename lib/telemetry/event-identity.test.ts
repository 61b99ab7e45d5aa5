import { describe, expect, it } from "vitest";
import { buildTestEvent } from "./build-test-event";
import { eventKey, identityHash, RepeatedIdentityHashes } from "./event-identity";

describe("identityHash", () => {
  it("keeps field boundaries and null apart from the empty text", () => {
    expect(identityHash(["ab", "c"])).not.toBe(identityHash(["a", "bc"]));
    expect(identityHash([null])).not.toBe(identityHash([""]));
    expect(identityHash([443])).toBe(identityHash(["443"]));
    expect(Number.isSafeInteger(identityHash(["x"]))).toBe(true);
  });

  it("has FNV-1a 32 in its low 32 bits: an empty field hashes the separator alone", () => {
    // FNV-1a over the one unit 0x1f: (offset basis XOR 0x1f) times the FNV prime, mod 2^32.
    const expected = Number((BigInt((0x811c9dc5 ^ 0x1f) >>> 0) * 0x01000193n) % 2n ** 32n);
    expect(identityHash([""]) % 2 ** 32).toBe(expected);
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

describe("stored keys never change", () => {
  // Values computed by the first implementation (the one that keyed stored events): a rewrite
  // that changed them would make every stored event look new to the next upload.
  it("gives the keys stored events already carry", () => {
    const connection = buildTestEvent("network", { at: "2024-01-01T10:00:00.1234567Z", deviceId: "d1", reportId: "55", initiatingProcessId: 4, remoteIp: "198.51.100.1", remotePort: 443, localPort: 50000 });
    const load = buildTestEvent("image_load", {
      at: "2023-08-16T00:34:54.9450000Z", deviceName: "WORKSTATION5", fileName: "bcrypt.dll", folderPath: "C:\\Windows\\System32\\bcrypt.dll",
      initiatingProcessId: 7340, initiatingProcessGuid: "{aa-bb}", initiatingProcessCreationTime: "2023-08-16T00:30:00.0000000Z",
    });
    const unicode = { ...load, source: "sysmon" as const, folderPath: "C:\\Users\\Jürgen\\下载\\😀.dll" };
    expect([eventKey(connection), eventKey(load), eventKey(unicode)]).toEqual([8944593342480358, 2931342017385105, 7528739972890190]);
  });
});

describe("RepeatedIdentityHashes", () => {
  // Keyed by the first field (a PID), as the store keys process contexts.
  const context = (pid: number, commandLine: string | null) => [pid, "powershell.exe", commandLine];

  it("answers identityHash for a list seen before, and for one that differs from it under the same key", () => {
    const hashes = new RepeatedIdentityHashes([0]);
    expect(hashes.hash(context(4, "a -enc x"))).toBe(identityHash(context(4, "a -enc x")));
    expect(hashes.hash(context(4, "a -enc x"))).toBe(identityHash(context(4, "a -enc x")));
    // Same PID, another command line, then null: each its own hash, never the remembered one.
    expect(hashes.hash(context(4, "a -enc y"))).toBe(identityHash(context(4, "a -enc y")));
    expect(hashes.hash(context(4, null))).toBe(identityHash(context(4, null)));
    // Back to the first command line under the same PID: its own hash, not the one remembered last.
    expect(hashes.hash(context(4, "a -enc x"))).toBe(identityHash(context(4, "a -enc x")));
  });
});
