/**
 * Suppressions: scoped exclusions an analyst adds so tomorrow's queue is shorter without hiding
 * an attacker. An entry is a conjunction of conditions on a finding, with a required reason and an
 * optional expiry. Remote conditions must hold for every destination the finding called, so a
 * process that also calls somewhere else stays in the queue: suppressions narrow, never blind.
 * Pure.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";

export interface SuppressionConditions {
  /** Image name, case-insensitive. */
  processName?: string;
  /** Full image path, `*` matching any run of characters, case-insensitive. */
  processPath?: string;
  sha256?: string;
  /** An address or CIDR block (IPv4 or IPv6), or several: the finding's every destination is in one of them. */
  remoteIp?: string[];
  remotePort?: number[];
  /** A host name; `*.example.com` matches its subdomains, not example.com itself. */
  remoteDomain?: string;
  deviceName?: string;
  accountName?: string;
}

/** What a suppression is matched against: a finding of either mode, as stored. */
export interface SuppressibleFinding {
  deviceName: string;
  processName: string;
  /** Null when the telemetry does not give the image's folder (then a path condition does not match). */
  processPath: string | null;
  sha256: string | null;
  accountName: string | null;
  /** A Windows system binary's name on an image outside its folder: a name alone never suppresses it. */
  outsideSystemFolder: boolean;
  /** Each destination with the host names its connections named, and whether any named none. */
  destinations: { remoteIp: string; remotePort: number | null; remoteDomains: string[]; unnamedConnections: boolean }[];
}

/** Shorter prefixes than these are a large share of the internet, not a destination. */
const MIN_PREFIX = { ipv4: 8, ipv6: 16 } as const;
const address = z
  .union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: "remoteIp takes IPv4 or IPv6 addresses or CIDR blocks." })
  .refine((value) => !value.includes("/") || Number(value.split("/")[1]) >= minimumPrefix(value.split("/")[0]), {
    error: `A CIDR block is at least /${MIN_PREFIX.ipv4} (IPv4) or /${MIN_PREFIX.ipv6} (IPv6; an IPv4-mapped block /${96 + MIN_PREFIX.ipv4}).`,
  });

/** An IPv4-mapped block (::ffff:a.b.c.d/n) holds IPv4 addresses (addressInBlock): it is held to IPv4's minimum. */
function minimumPrefix(base: string): number {
  if (!base.includes(":")) return MIN_PREFIX.ipv4;
  return ipaddr.isValid(base) && (ipaddr.parse(base) as ipaddr.IPv6).isIPv4MappedAddress() ? 96 + MIN_PREFIX.ipv4 : MIN_PREFIX.ipv6;
}
/** Stars a path may hold: enough for any real pattern, few enough to keep matching cheap. */
const MAX_PATH_WILDCARDS = 8;
const text = (name: string) => z.string().trim().min(1, { error: `${name} cannot be empty.` }).max(1000);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1).max(100)]).transform((value) => (Array.isArray(value) ? value : [value]) as z.output<T>[]);

export const suppressionConditionsSchema = z
  .strictObject({
    processName: text("processName").optional(),
    processPath: text("processPath")
      .refine((path) => /[^*]/.test(path), { error: "A path of wildcards alone would match every process." })
      .refine((path) => path.split("*").length - 1 <= MAX_PATH_WILDCARDS, { error: `A path has at most ${MAX_PATH_WILDCARDS} wildcards.` })
      .optional(),
    sha256: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{64}$/, { error: "sha256 is 64 hexadecimal digits." })
      .transform((value) => value.toLowerCase())
      .optional(),
    remoteIp: oneOrMany(address).optional(),
    remotePort: oneOrMany(z.number().int().min(0).max(65535)).optional(),
    remoteDomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^(\*\.)?([a-z0-9_-]+\.)*[a-z0-9_-]+\.?$/, { error: "remoteDomain is a host name, or *. and a domain for its subdomains." })
      .optional(),
    deviceName: text("deviceName").optional(),
    accountName: text("accountName").optional(),
  })
  .refine((conditions) => Object.values(conditions).some((value) => value !== undefined), { error: "A suppression needs at least one condition." })
  .refine((conditions) => IDENTIFYING.some((key) => conditions[key] !== undefined), {
    error: "Name what is suppressed: a process name, path or SHA256, or remote addresses; a device, account, port or domain alone would hide too much.",
  })
  .refine((conditions) => conditions.remoteDomain === undefined || conditions.sha256 !== undefined || conditions.processPath !== undefined || conditions.remoteIp !== undefined, {
    error: "A domain is what the calling program claims: pair it with a SHA256, a path or remote addresses.",
  });

/** The conditions that say what is suppressed (the others only narrow it). */
const IDENTIFYING = ["processName", "processPath", "sha256", "remoteIp"] as const;

export const suppressionInputSchema = z.strictObject({
  conditions: suppressionConditionsSchema,
  reason: z.string().trim().min(1, { error: "A suppression needs a reason." }).max(2000),
  expiresAt: z.iso.datetime({ offset: true, error: "expiresAt is an ISO 8601 time with its zone, e.g. 2026-12-31T00:00:00Z." }).nullable().optional(),
});
export type SuppressionInput = z.infer<typeof suppressionInputSchema>;

/**
 * Text as conditions compare it: lower case, one code point at a time as Kusto's tolower() does
 * (JavaScript would write a final capital sigma as ς), so the KQL export can compare alike.
 */
export function caseless(text: string): string {
  return text.toLowerCase().replaceAll("ς", "σ");
}

const lower = (value: string | null) => (value === null ? null : caseless(value));

/** Whether the conditions hold for the finding (every one of them; remote ones for every destination). */
export function suppresses(conditions: SuppressionConditions, finding: SuppressibleFinding): boolean {
  const { processName, processPath, sha256, remoteIp, remotePort, remoteDomain, deviceName, accountName } = conditions;
  if (processName !== undefined && lower(finding.processName) !== caseless(processName)) return false;
  // A system binary's name outside its folder is a masquerade: only its hash or path can name it.
  if (finding.outsideSystemFolder && sha256 === undefined && processPath === undefined) return false;
  if (processPath !== undefined && (finding.processPath === null || !wildcardMatches(processPath, finding.processPath))) return false;
  if (sha256 !== undefined && lower(finding.sha256) !== caseless(sha256)) return false;
  if (deviceName !== undefined && lower(finding.deviceName) !== caseless(deviceName)) return false;
  if (accountName !== undefined && lower(finding.accountName) !== caseless(accountName)) return false;
  if (remoteIp === undefined && remotePort === undefined && remoteDomain === undefined) return true;
  if (finding.destinations.length === 0) return false;
  return finding.destinations.every(
    (destination) =>
      (remoteIp === undefined || remoteIp.some((block) => addressInBlock(destination.remoteIp, block))) &&
      (remotePort === undefined || (destination.remotePort !== null && remotePort.includes(destination.remotePort))) &&
      // Every name the connections gave, and no connection without one: one matching name must not cover the rest.
      (remoteDomain === undefined ||
        (!destination.unnamedConnections && destination.remoteDomains.length > 0 && destination.remoteDomains.every((domain) => domainMatches(remoteDomain, domain)))),
  );
}

/**
 * `*` matches any run of characters (backslashes included), case-insensitive; nothing else is
 * special. It returns to the last star only, so many stars cannot make it backtrack
 * exponentially, as a regular expression would.
 */
export function wildcardMatches(pattern: string, value: string): boolean {
  const p = caseless(pattern);
  const v = caseless(value);
  let pi = 0;
  let vi = 0;
  let star = -1;
  let resume = 0;
  while (vi < v.length) {
    if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = vi;
    } else if (pi < p.length && p[pi] === v[vi]) {
      pi++;
      vi++;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++resume;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** `*.example.com` matches a.example.com and a.b.example.com, not example.com; anything else matches itself. Case and a final dot do not count. */
export function domainMatches(pattern: string, domain: string): boolean {
  const normal = (name: string) => caseless(name).replace(/\.$/, "");
  const wanted = normal(pattern);
  const actual = normal(domain);
  return wanted.startsWith("*.") ? actual.endsWith(wanted.slice(1)) && actual.length > wanted.length - 1 : actual === wanted;
}

/** Whether an address is the given address or inside the given CIDR block; an IPv4-mapped IPv6 address counts as the IPv4 address it carries. */
export function addressInBlock(ip: string, block: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  const [base, prefix] = block.includes("/") ? ipaddr.parseCIDR(block) : [ipaddr.parse(block), null];
  const mapped = base.kind() === "ipv6" && (base as ipaddr.IPv6).isIPv4MappedAddress();
  const network = mapped ? (base as ipaddr.IPv6).toIPv4Address() : base;
  const bits = prefix === null ? (network.kind() === "ipv4" ? 32 : 128) : mapped ? prefix - 96 : prefix;
  if (address.kind() !== network.kind() || bits < 0) return false;
  return address.kind() === "ipv4" ? (address as ipaddr.IPv4).match(network as ipaddr.IPv4, bits) : (address as ipaddr.IPv6).match(network as ipaddr.IPv6, bits);
}

/**
 * The narrowest sensible entry for one finding ("Suppress this"): its binary by SHA256 (or, without
 * one, by full path) on its device, to the addresses it called. A name only when the telemetry
 * gives neither, and then with the device and addresses: never a bare name, which would hide every
 * binary taking it.
 */
export function narrowestConditions(finding: SuppressibleFinding): SuppressionConditions {
  const binary: SuppressionConditions = finding.sha256
    ? { sha256: finding.sha256.toLowerCase() }
    : finding.processPath
      ? { processPath: finding.processPath }
      : { processName: finding.processName };
  const addresses = [...new Set(finding.destinations.map((destination) => destination.remoteIp))].sort();
  return { ...binary, deviceName: finding.deviceName, ...(addresses.length > 0 ? { remoteIp: addresses } : {}) };
}
