import { describe, expect, it } from "vitest";
import { LoginThrottle } from "./login-throttle";

function throttle(limits = { perUsername: 3, perAddress: 5, windowMs: 60_000, maxTracked: 100 }) {
  const clock = { now: 1_000_000 };
  return { clock, limiter: new LoginThrottle(limits, () => clock.now) };
}

describe("LoginThrottle", () => {
  it("refuses a username after its limit of failures until the oldest leaves the window", () => {
    const { clock, limiter } = throttle();
    limiter.recordFailure("kim", "10.0.0.1"); // at 1,000,000
    clock.now += 10_000;
    limiter.recordFailure("KIM", "10.0.0.2"); // same username, case-insensitively
    expect(limiter.retryAfterSeconds("kim", "10.0.0.3")).toBe(0);
    clock.now += 10_000;
    limiter.recordFailure(" kim ", "10.0.0.3"); // third failure at 1,020,000
    // Blocked until the first failure (1,000,000) is 60 s old: 1,060,000 - 1,020,000 = 40 s.
    expect(limiter.retryAfterSeconds("kim", "10.0.0.9")).toBe(40);
    expect(limiter.retryAfterSeconds("lee", "10.0.0.9")).toBe(0);
    clock.now = 1_060_000;
    expect(limiter.retryAfterSeconds("kim", "10.0.0.9")).toBe(0);
  });

  it("refuses an address after its limit, whatever username it tries", () => {
    const { clock, limiter } = throttle();
    for (const name of ["a", "b", "c", "d", "e"]) {
      limiter.recordFailure(name, "203.0.113.7");
      clock.now += 1_000;
    }
    // Five failures at 1,000,000 .. 1,004,000; now 1,005,000: free at 1,060,000.
    expect(limiter.retryAfterSeconds("never-tried", "203.0.113.7")).toBe(55);
    expect(limiter.retryAfterSeconds("never-tried", "203.0.113.8")).toBe(0);
  });

  it("clears a username's failures on success but not its address's", () => {
    const { limiter } = throttle({ perUsername: 2, perAddress: 3, windowMs: 60_000, maxTracked: 100 });
    limiter.recordFailure("kim", "10.0.0.1");
    limiter.recordFailure("kim", "10.0.0.1");
    expect(limiter.retryAfterSeconds("kim", "10.0.0.2")).toBe(60);
    limiter.recordSuccess("kim");
    expect(limiter.retryAfterSeconds("kim", "10.0.0.2")).toBe(0);
    limiter.recordFailure("lee", "10.0.0.1");
    expect(limiter.retryAfterSeconds("max", "10.0.0.1")).toBe(60);
  });

  it("forgets the least recently failed keys beyond its capacity", () => {
    const { limiter } = throttle({ perUsername: 1, perAddress: 100, windowMs: 60_000, maxTracked: 2 });
    limiter.recordFailure("kim", "10.0.0.1"); // keys: user:kim, address
    limiter.recordFailure("lee", "10.0.0.1"); // three keys: user:kim, the oldest, goes
    expect(limiter.retryAfterSeconds("kim", "10.0.0.2")).toBe(0);
    expect(limiter.retryAfterSeconds("lee", "10.0.0.2")).toBe(60);
  });
});
