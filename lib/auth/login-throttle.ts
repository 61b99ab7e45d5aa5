/**
 * The sign-in rate limit: after `perUsername` failures for one username, or `perAddress` failures
 * from one address, within `windowMs`, sign-in is refused (429) until the oldest of those failures
 * leaves the window. Counted for any username, known or not, so the answer never tells which
 * accounts exist. A success clears its username's failures, not its address's (one valid account
 * must not reset a spraying address). Pure; the server keeps one in memory.
 */
export type LoginThrottleLimits = { perUsername: number; perAddress: number; windowMs: number; maxTracked: number };

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = { perUsername: 5, perAddress: 20, windowMs: 15 * 60_000, maxTracked: 10_000 };

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this username may try again from this address; 0 when it may now. */
  retryAfterSeconds(username: string, address: string): number {
    const waitMs = Math.max(this.waitMs(usernameKey(username), this.limits.perUsername), this.waitMs(addressKey(address), this.limits.perAddress));
    return Math.ceil(waitMs / 1000);
  }

  recordFailure(username: string, address: string): void {
    const at = this.now();
    for (const key of [usernameKey(username), addressKey(address)]) {
      const times = this.recent(key);
      times.push(at);
      this.failures.delete(key); // re-inserted last: the map's order is least recently failed first
      this.failures.set(key, times);
    }
    this.evictBeyondCapacity();
  }

  recordSuccess(username: string): void {
    this.failures.delete(usernameKey(username));
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

  /** Bounded memory under a spray of random usernames: the least recently failed keys go first. */
  private evictBeyondCapacity(): void {
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.limits.maxTracked) break;
      this.failures.delete(key);
    }
  }
}

const usernameKey = (username: string) => `user:${username.trim().toLowerCase()}`;
const addressKey = (address: string) => `address:${address}`;
