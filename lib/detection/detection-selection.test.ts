import { describe, expect, it } from "vitest";
import { detectionSelection } from "./detection-selection";
import { DEFAULT_DETECTION_SETTINGS } from "./detection-settings";

const AS_OF_US = 100 * 3_600_000_000;

describe("detectionSelection", () => {
  it("lower-cases the libraries once each and reads back as far as the longer lookback", () => {
    const selection = detectionSelection({ cryptoLibraries: ["BCrypt.dll", "bcrypt.dll", "NCRYPT.DLL"] }, DEFAULT_DETECTION_SETTINGS, AS_OF_US);
    expect(selection.cryptoLibraries).toEqual(["bcrypt.dll", "ncrypt.dll"]);
    // The seed query's 24 h and the default mode's 24 h: 100 h - 24 h.
    expect([selection.afterUs, selection.untilUs]).toEqual([76 * 3_600_000_000, AS_OF_US]);
    expect(selection.addressClasses).toEqual(["Public", "FourToSixMapping"]);
    expect(selection.actionTypes).toEqual(["ConnectionSuccess"]);
    // The beacon minimum is 10, a short beacon's 6.
    expect(selection.seriesMinConnections).toBe(6);
    expect(selection.opensslNames).toEqual(["openssl", "openssl.exe"]);
    expect(selection.networkTools).toContain("curl.exe");
  });

  it("follows a longer default lookback, and lab mode's classes and failed attempts", () => {
    const selection = detectionSelection({ cryptoLibraries: [] }, { ...DEFAULT_DETECTION_SETTINGS, lookbackHours: 48, labMode: true }, AS_OF_US);
    expect(selection.afterUs).toBe(52 * 3_600_000_000);
    expect(selection.addressClasses).toEqual(["Public", "Private", "Loopback", "FourToSixMapping"]);
    expect(selection.actionTypes).toEqual(["ConnectionSuccess", "ConnectionFailed"]);
  });
});
