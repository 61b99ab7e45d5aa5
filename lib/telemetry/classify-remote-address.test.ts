import { describe, expect, it } from "vitest";
import { classifyRemoteAddress, remoteAddressClass } from "./classify-remote-address";

describe("classifyRemoteAddress", () => {
  it.each([
    ["8.8.8.8", "Public"],
    ["::ffff:172.64.149.247", "Public"],
    ["2606:4700::1", "Public"],
    ["10.1.2.3", "Private"],
    ["172.16.0.1", "Private"],
    ["192.168.1.1", "Private"],
    ["fc00::1", "Private"],
    ["127.0.0.1", "Loopback"],
    ["::1", "Loopback"],
    ["169.254.1.1", "LinkLocal"],
    ["fe80::1", "LinkLocal"],
    ["100.64.1.1", "CarrierGradeNat"],
    ["224.0.0.1", "Multicast"],
    ["192.0.2.5", "Reserved"],
    ["2001:db8::1", "Reserved"],
    ["0.0.0.0", "Reserved"],
    ["not-an-ip", "Invalid"],
    ["", "Invalid"],
  ] as const)("%s is %s", (address, expected) => {
    expect(classifyRemoteAddress(address)).toBe(expected);
  });

  it("prefers Defender's own RemoteIPType and falls back when it is empty", () => {
    expect(remoteAddressClass("Public", "10.0.0.1")).toBe("Public");
    expect(remoteAddressClass("", "10.0.0.1")).toBe("Private");
    expect(remoteAddressClass(null, "8.8.4.4")).toBe("Public");
  });

  it("classifies a FourToSixMapping address by the IPv4 address it maps (the type says how it is written, not where it points)", () => {
    expect(remoteAddressClass("FourToSixMapping", "::ffff:8.8.4.4")).toBe("Public");
    expect(remoteAddressClass("FourToSixMapping", "::ffff:10.0.0.1")).toBe("Private");
  });
});
