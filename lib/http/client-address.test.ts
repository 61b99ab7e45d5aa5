import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

describe("clientAddress", () => {
  it("is the socket's peer unless a proxy is trusted, whatever the client claims", () => {
    expect(clientAddress("192.0.2.10", "6.6.6.6", false)).toBe("192.0.2.10");
    expect(clientAddress("::ffff:192.0.2.10", undefined, false)).toBe("192.0.2.10");
    expect(clientAddress("::1", undefined, false)).toBe("::1");
    expect(clientAddress(undefined, undefined, false)).toBe("unknown");
  });

  it("behind a trusted proxy is the entry the proxy appended, not the client's own", () => {
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.4", true)).toBe("198.51.100.4");
    expect(clientAddress("127.0.0.1", ["6.6.6.6", "198.51.100.4 "], true)).toBe("198.51.100.4");
    expect(clientAddress("127.0.0.1", " , ", true)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", undefined, true)).toBe("127.0.0.1");
  });
});
