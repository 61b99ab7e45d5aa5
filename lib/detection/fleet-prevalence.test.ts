import { describe, expect, it } from "vitest";
import { binaryPrevalenceKey, binaryPrevalenceKeys, destinationPrevalenceKey, prevalenceClass, prevalenceText } from "./fleet-prevalence";

describe("fleet prevalence keys", () => {
  it("names a binary by its SHA256 when known, else by folder and name, folding ASCII case only (as SQLite's lower() does)", () => {
    expect(binaryPrevalenceKey("ABCDEF01", "C:\\X\\a.exe", "a.exe")).toBe("sha256:abcdef01");
    expect(binaryPrevalenceKey(null, "C:\\Users\\Ä\\Payload.EXE", "Payload.EXE")).toBe("path:c:\\users\\Ä\\payload.exe|payload.exe");
    expect(binaryPrevalenceKey("", null, null)).toBe("path:|");
  });

  it("records a binary by folder and name always, and by SHA256 too when known, so events with and without a hash count the same device", () => {
    expect(binaryPrevalenceKeys("ABCDEF01", "C:\\X\\a.exe", "a.exe")).toEqual(["path:c:\\x\\a.exe|a.exe", "sha256:abcdef01"]);
    expect(binaryPrevalenceKeys(null, "C:\\X\\a.exe", "a.exe")).toEqual(["path:c:\\x\\a.exe|a.exe"]);
  });

  it("folds the case of IPv6 addresses", () => {
    expect(destinationPrevalenceKey("2001:DB8::1")).toBe("2001:db8::1");
  });
});

describe("prevalenceClass", () => {
  it("calls one device of a fleet of ten or more rare, and up to 2% of a large fleet", () => {
    expect(prevalenceClass(1, 10)).toBe("rare");
    expect(prevalenceClass(2, 10)).toBe("ordinary");
    // 2% of 240 is 4.8: up to 4 devices are rare.
    expect(prevalenceClass(4, 240)).toBe("rare");
    expect(prevalenceClass(5, 240)).toBe("ordinary");
  });

  it("calls half of the fleet or more common", () => {
    expect(prevalenceClass(119, 240)).toBe("ordinary");
    expect(prevalenceClass(120, 240)).toBe("common");
    expect(prevalenceClass(5, 10)).toBe("common");
  });

  it("tells nothing in a fleet of fewer than ten devices, or for a count it has not seen", () => {
    expect(prevalenceClass(1, 9)).toBe("ordinary");
    expect(prevalenceClass(9, 9)).toBe("ordinary");
    expect(prevalenceClass(0, 240)).toBe("ordinary");
  });

  it("says it as the finding shows it", () => {
    expect(prevalenceText(1, 240)).toBe("seen on 1 of 240 devices");
    expect(prevalenceText(1, 1)).toBe("seen on 1 of 1 device");
  });
});
