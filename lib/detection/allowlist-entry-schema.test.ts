import { describe, expect, it } from "vitest";
import { validateAllowlistValue } from "./allowlist-entry-schema";

const existing = [
  { id: "1", value: "VeeamAgent.exe" },
  { id: "2", value: "8883" },
];

describe("validateAllowlistValue", () => {
  it("accepts a new file name, trimmed", () => {
    expect(validateAllowlistValue("excludedSystemProcesses", "  PanGPS.exe ", existing)).toEqual({ ok: true, value: "PanGPS.exe", key: "pangps.exe" });
  });

  it("refuses duplicates case-insensitively, except the entry being edited", () => {
    expect(validateAllowlistValue("excludedSystemProcesses", "veeamagent.EXE", existing)).toEqual({ ok: false, message: '"VeeamAgent.exe" is already in this list.' });
    expect(validateAllowlistValue("excludedSystemProcesses", "veeamagent.EXE", existing, "1")).toEqual({ ok: true, value: "veeamagent.EXE", key: "veeamagent.exe" });
  });

  it("refuses empty names and names with path characters", () => {
    expect(validateAllowlistValue("cryptoLibraries", "   ", [])).toEqual({ ok: false, message: "A file name cannot be empty." });
    expect(validateAllowlistValue("cryptoLibraries", "C:\\x\\bcrypt.dll", []).ok).toBe(false);
  });

  it("accepts ports 1 to 65535 only, as whole numbers", () => {
    const message = "A port is a whole number from 1 to 65535.";
    expect(validateAllowlistValue("standardPorts", "7443", existing)).toEqual({ ok: true, value: "7443", key: "7443" });
    expect(validateAllowlistValue("standardPorts", "0", [])).toEqual({ ok: false, message });
    expect(validateAllowlistValue("standardPorts", "65536", [])).toEqual({ ok: false, message });
    expect(validateAllowlistValue("standardPorts", "44.3", [])).toEqual({ ok: false, message });
    expect(validateAllowlistValue("standardPorts", "abc", [])).toEqual({ ok: false, message });
    expect(validateAllowlistValue("standardPorts", "08883", existing)).toEqual({ ok: false, message: '"8883" is already in this list.' });
  });
});
