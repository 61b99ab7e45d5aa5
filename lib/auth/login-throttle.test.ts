import { describe, expect, it } from "vitest";
import { LoginThrottle } from "./login-throttle";

function throttle(limits = { perUsername: 3, perAddress: 5, windowMs: 60_000, maxTracked: 100 }) {
  const clock = { now: 1_000_000 };
  return { clock, limiter: new LoginThrottle(limits, () => clock.now) };
}

describe("LoginThrottle", () => {
  it("refuses a username after its limit of failures until the oldest leaves the window", () => {
    const { clock, limiter } = throttle();
    expect(limiter.attempt("kim", "10.0.0.1")).toBe(0); // fails, at 1,000,000
    clock.now += 10_000;
    expect(limiter.attempt("KIM", "10.0.0.2")).toBe(0); // same username, case-insensitively
    clock.now += 10_000;
    expect(limiter.attempt(" kim ", "10.0.0.3")).toBe(0); // third failure, at 1,020,000
    // Blocked until the first failure (1,000,000) is 60 s old: 1,060,000 - 1,020,000 = 40 s.
    expect(limiter.attempt("kim", "10.0.0.9")).toBe(40);
    expect(limiter.attempt("lee", "10.0.0.9")).toBe(0);
    clock.now = 1_060_000;
    expect(limiter.attempt("kim", "10.0.0.9")).toBe(0);
  });

  it("counts an attempt before its password is checked: a parallel burst gets only the limit through", () => {
    const { limiter } = throttle();
    // Five guesses sent at once, none answered yet.
    expect(["a", "b", "c", "d", "e"].map((guess) => limiter.attempt("kim", `10.0.1.${guess.charCodeAt(0)}`))).toEqual([0, 0, 0, 60, 60]);
  });

  it("refuses an address after its limit, whatever username it tries; an IPv6 client by its /64", () => {
    const { clock, limiter } = throttle();
    for (const name of ["a", "b", "c", "d", "e"]) {
      limiter.attempt(name, "203.0.113.7");
      clock.now += 1_000;
    }
    // Five failures at 1,000,000 .. 1,004,000; now 1,005,000: free at 1,060,000.
    expect(limiter.attempt("never-tried", "203.0.113.7")).toBe(55);
    expect(limiter.attempt("never-tried", "::ffff:203.0.113.7")).toBe(55);
    expect(limiter.attempt("never-tried", "203.0.113.8")).toBe(0);

    for (const [index, name] of ["f", "g", "h", "i", "j"].entries()) limiter.attempt(name, `2001:db8:5:6::${index + 1}`);
    expect(limiter.attempt("other", "2001:db8:5:6:ffff::9")).toBe(60);
    expect(limiter.attempt("other", "2001:db8:5:7::1")).toBe(0);
  });

  it("on success clears the username's failures and takes back only its own from the address", () => {
    const { limiter } = throttle({ perUsername: 2, perAddress: 3, windowMs: 60_000, maxTracked: 100 });
    limiter.attempt("kim", "10.0.0.1");
    limiter.attempt("kim", "10.0.0.1");
    expect(limiter.attempt("kim", "10.0.0.2")).toBe(60);
    limiter.attempt("lee", "10.0.0.1"); // address: three failures, so now refusing
    expect(limiter.attempt("max", "10.0.0.1")).toBe(60);

    const { limiter: fresh } = throttle({ perUsername: 2, perAddress: 3, windowMs: 60_000, maxTracked: 100 });
    fresh.attempt("kim", "10.0.0.1");
    fresh.attempt("kim", "10.0.0.1");
    expect(fresh.attempt("lee", "10.0.0.1")).toBe(0);
    fresh.succeeded("lee", "10.0.0.1"); // lee's attempt was right: the address keeps kim's two
    expect(fresh.attempt("kim", "10.0.0.2")).toBe(60);
    expect(fresh.attempt("max", "10.0.0.1")).toBe(0); // third failure of the address
    expect(fresh.attempt("max", "10.0.0.1")).toBe(60);
  });

  it("forgets the least recently failed keys beyond its capacity, never one that is refusing", () => {
    const { limiter } = throttle({ perUsername: 1, perAddress: 100, windowMs: 60_000, maxTracked: 2 });
    limiter.attempt("kim", "10.0.0.1"); // user:kim (now refusing) and the address
    limiter.attempt("lee", "10.0.0.1"); // three keys: user:kim is the oldest but refusing, so the address goes
    expect(limiter.attempt("kim", "10.0.0.2")).toBe(60);
    expect(limiter.attempt("lee", "10.0.0.2")).toBe(60);
  });
});
