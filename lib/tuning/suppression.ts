/**
 * Suppressions: scoped exclusions an analyst adds so tomorrow's queue is shorter without hiding
 * an attacker. An entry is a conjunction of conditions on a finding, with a required reason and an
 * optional expiry. Remote conditions must hold for every destination the finding called, so a
 * process that also calls somewhere else stays in the queue: suppressions narrow, never blind.
 * Pure.
 */
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
  destinations: { remoteIp: string; remotePort: number | null; remoteDomains: string[] }[];
}

const address = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: "remoteIp takes IPv4 or IPv6 addresses or CIDR blocks." });
const text = (name: string) => z.string().trim().min(1, { error: `${name} cannot be empty.` }).max(1000);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1).max(100)]).transform((value) => (Array.isArray(value) ? value : [value]) as z.output<T>[]);

export const suppressionConditionsSchema = z
  .strictObject({
    processName: text("processName").optional(),
    processPath: text("processPath").optional(),
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
  .refine((conditions) => Object.values(conditions).some((value) => value !== undefined), { error: "A suppression needs at least one condition." });

export const suppressionInputSchema = z.strictObject({
  conditions: suppressionConditionsSchema,
  reason: z.string().trim().min(1, { error: "A suppression needs a reason." }).max(2000),
  expiresAt: z.iso.datetime({ offset: true, error: "expiresAt is an ISO 8601 time with its zone, e.g. 2026-12-31T00:00:00Z." }).nullable().optional(),
});
export type SuppressionInput = z.infer<typeof suppressionInputSchema>;

const lower = (value: string | null) => value?.toLowerCase() ?? null;

/** Whether the conditions hold for the finding (every one of them; remote ones for every destination). */
export function suppresses(conditions: SuppressionConditions, finding: SuppressibleFinding): boolean {
  const { processName, processPath, sha256, remoteIp, remotePort, remoteDomain, deviceName, accountName } = conditions;
  if (processName !== undefined && lower(finding.processName) !== processName.toLowerCase()) return false;
  if (processPath !== undefined && (finding.processPath === null || !wildcardMatches(processPath, finding.processPath))) return false;
  if (sha256 !== undefined && lower(finding.sha256) !== sha256.toLowerCase()) return false;
  if (deviceName !== undefined && lower(finding.deviceName) !== deviceName.toLowerCase()) return false;
  if (accountName !== undefined && lower(finding.accountName) !== accountName.toLowerCase()) return false;
  if (remoteIp === undefined && remotePort === undefined && remoteDomain === undefined) return true;
  if (finding.destinations.length === 0) return false;
  return finding.destinations.every(
    (destination) =>
      (remoteIp === undefined || remoteIp.some((block) => addressInBlock(destination.remoteIp, block))) &&
      (remotePort === undefined || (destination.remotePort !== null && remotePort.includes(destination.remotePort))) &&
      (remoteDomain === undefined || destination.remoteDomains.some((domain) => domainMatches(remoteDomain, domain))),
  );
}

/** `*` matches any run of characters (backslashes included), case-insensitive; nothing else is special. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${source}$`, "i").test(value);
}

/** `*.example.com` matches a.example.com and a.b.example.com, not example.com; anything else matches itself. Case and a final dot do not count. */
export function domainMatches(pattern: string, domain: string): boolean {
  const normal = (name: string) => name.toLowerCase().replace(/\.$/, "");
  const wanted = normal(pattern);
  const actual = normal(domain);
  return wanted.startsWith("*.") ? actual.endsWith(wanted.slice(1)) && actual.length > wanted.length - 1 : actual === wanted;
}

/** Whether an address is the given address or inside the given CIDR block (IPv4 with IPv4, IPv6 with IPv6). */
export function addressInBlock(ip: string, block: string): boolean {
  const [base, prefixText] = block.split("/");
  const target = addressBits(ip);
  const network = addressBits(base);
  if (target === null || network === null || target.bits !== network.bits) return false;
  const prefix = prefixText === undefined ? network.bits : Number(prefixText);
  if (prefix === 0) return true;
  const shift = BigInt(network.bits - prefix);
  return target.value >> shift === network.value >> shift;
}

/** An IPv4 or IPv6 address as a number of 32 or 128 bits; null when it is neither. */
function addressBits(ip: string): { bits: 32 | 128; value: bigint } | null {
  const v4 = z.ipv4().safeParse(ip);
  if (v4.success) return { bits: 32, value: v4.data.split(".").reduce((sum, octet) => (sum << 8n) + BigInt(octet), 0n) };
  const v6 = z.ipv6().safeParse(ip);
  if (!v6.success) return null;
  let text = v6.data.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const octets = tail[1].split(".").map(Number);
    text = `${text.slice(0, -tail[1].length)}${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
  }
  const [head, rest] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const restGroups = rest === undefined ? [] : rest ? rest.split(":") : [];
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - restGroups.length).fill("0"), ...restGroups];
  if (groups.length !== 8) return null;
  return { bits: 128, value: groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group, 16)), 0n) };
}

/**
 * The narrowest sensible entry for one finding ("Suppress this"): its binary by SHA256 (or, without
 * one, by full path) on its device, to the addresses it called. Never a bare process name: that
 * would hide every binary taking the name.
 */
export function narrowestConditions(finding: SuppressibleFinding): SuppressionConditions {
  const binary: SuppressionConditions = finding.sha256 ? { sha256: finding.sha256.toLowerCase() } : finding.processPath ? { processPath: finding.processPath } : {};
  const addresses = [...new Set(finding.destinations.map((destination) => destination.remoteIp))].sort();
  return { ...binary, deviceName: finding.deviceName, ...(addresses.length > 0 ? { remoteIp: addresses } : {}) };
}
