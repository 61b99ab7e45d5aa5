import ipaddr from "ipaddr.js";

/**
 * The sign-in rate limit: after `perUsername` failures for one username, or `perAddress` failures
 * from one address (an IPv6 address by its /64, which one client holds whole), within `windowMs`,
 * sign-in is refused (429) until the oldest of those failures leaves the window. Counted for any
 * username, known or not, so the answer never tells which accounts exist.
 *
 * An attempt counts as a failure from the moment it starts (`attempt`), not when its slow
 * password check ends: a burst of parallel guesses cannot all pass the check first. A success
 * then clears its username's failures and takes back its own from the address (one valid
 * account must not reset a spraying address). Pure; the server keeps one in memory.
 */
export type LoginThrottleLimits = { perUsername: number; perAddress: number; windowMs: number; maxTracked: number };

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = { perUsername: 5, perAddress: 20, windowMs: 15 * 60_000, maxTracked: 10_000 };

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Starts a sign-in attempt: 0 when it may go ahead (it is then counted as a failure until
   * `succeeded`), else the seconds until this username may try again from this address.
   */
  attempt(username: string, address: string): number {
    const waitMs = Math.max(this.waitMs(usernameKey(username), this.limits.perUsername), this.waitMs(addressKey(address), this.limits.perAddress));
    if (waitMs > 0) return Math.ceil(waitMs / 1000);
    const at = this.now();
    for (const key of [usernameKey(username), addressKey(address)]) {
      const times = this.recent(key);
      times.push(at);
      this.failures.delete(key); // re-inserted last: the map's order is least recently failed first
      this.failures.set(key, times);
    }
    this.evictBeyondCapacity();
    return 0;
  }

  succeeded(username: string, address: string): void {
    this.failures.delete(usernameKey(username));
    this.failures.get(addressKey(address))?.pop();
  }

  private waitMs(key: string, limit: number): number {
    const times = this.recent(key);
    if (times.length < limit) return 0;
    return times[times.length - limit] + this.limits.windowMs - this.now();
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }

  /**
   * Bounded memory under a spray of random usernames: the least recently failed keys go first,
   * but never one that is refusing now (filling the map must not lift a limit).
   */
  private evictBeyondCapacity(): void {
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.limits.maxTracked) break;
      const limit = key.startsWith("user:") ? this.limits.perUsername : this.limits.perAddress;
      if (this.waitMs(key, limit) <= 0) this.failures.delete(key);
    }
  }
}

const usernameKey = (username: string) => `user:${username.trim().toLowerCase()}`;

function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return `address:${address}`;
  const parsed = ipaddr.process(address);
  return parsed.kind() === "ipv6" ? `address:${ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`).toString()}/64` : `address:${parsed.toString()}`;
}
