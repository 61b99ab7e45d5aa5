import { describe, expect, it } from "vitest";
import { readCsv } from "./read-raw-rows";

const recordsOf = (text: string) => [...readCsv(text).rows].map((row) => row.record);

describe("readCsv records", () => {
  it("keys each field by its column, a repeated column keeping its last value, in header order", () => {
    const [record] = recordsOf("Timestamp,DeviceName,Timestamp,10\r\n2024-01-01,ws-01,later,x\r\n");
    expect(record).toEqual({ 10: "x", Timestamp: "later", DeviceName: "ws-01" });
    expect(Object.keys(record!)).toEqual(["10", "Timestamp", "DeviceName"]);
  });

  it("takes hostile column names as plain keys: no code runs, no prototype is set", () => {
    const names = ["__proto__", "constructor", '"}; globalThis.pwned = 1; ({"', "a\u2028b", "x\\", "\ud800", "${1}", "toString"];
    const header = names.map((name) => `"${name.replaceAll('"', '""')}"`).join(",");
    const [record] = recordsOf(`${header}\n${names.map((_, index) => String(index)).join(",")}\n`);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record!)).toEqual(names.slice(1));
    expect(Object.values(record!)).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it("builds records for a header of more columns than an object literal holds fast, the same way", () => {
    const names = Array.from({ length: 1500 }, (_, index) => `c${index}`);
    const [record] = recordsOf(`${names.join(",")}\n${names.map((_, index) => index).join(",")}\n`);
    expect([Object.keys(record!).length, record!.c0, record!.c1499]).toEqual([1500, "0", "1499"]);
  });
});

describe("readCsv records from a header too long to compile", () => {
  it("are built column by column, the same", () => {
    const long = "x".repeat(70_000);
    const [record] = recordsOf(`${long},b\n1,2\n`);
    expect([Object.keys(record!).map((key) => key.length), record!.b]).toEqual([[70_000, 1], "2"]);
  });
});
