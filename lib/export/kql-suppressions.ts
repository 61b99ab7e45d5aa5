/**
 * Cipherwatch's suppressions (lib/tuning/suppression) as KQL, for the tuned exports: each entry
 * becomes a predicate on the final per-process columns, true when the entry hides the process.
 * It keeps the entry's meaning (suppresses()):
 * - every condition must hold; names, hashes, devices and accounts compare lower-cased one code
 *   point at a time, as Cipherwatch does (caseless), not with `=~` or `(?i)`, whose case folding
 *   also takes ſ for s;
 * - a path's `*` is any run of characters (a regular expression with every other character literal);
 * - remote conditions must hold for every connection of the process, as Cipherwatch's finding
 *   lists them: every successful connection to a public address in the lookback, whatever its port
 *   or time (not only those the detection keeps); the count takes in addresses Defender types as
 *   FourToSixMapping or not at all too, which Cipherwatch classifies itself, so it can only show
 *   more. Lab mode (private addresses, failed attempts) is not compiled. Each entry counts the connections it does not
 *   cover (`Suppression<n>Misses`, summarised per process apart from the detection) and hides the
 *   process only at zero;
 * - a name alone never hides a system binary's name outside its folders (OutsideSystemFolder);
 * - an expiry stops the entry at its exact time, by the SIEM's own clock (`now()`).
 * Values go through kqlStringLiteral; only Cipherwatch's own hexadecimal ids go into comments.
 * Pure.
 */
import ipaddr from "ipaddr.js";
import { caseless, suppressionConditionsSchema, type SuppressionConditions } from "../tuning/suppression";
import { kqlStringLiteral } from "./kql-literal";

export interface KqlSuppression {
  id: string;
  conditions: SuppressionConditions;
  /** ISO 8601 time with its zone, or null for none. */
  expiresAt: string | null;
}

export interface CompiledSuppression {
  /** A comment line naming the entry. */
  comment: string;
  /** The per-process predicate, true when the entry hides the process. */
  predicate: string;
  /** With remote conditions: the column counting connections the entry does not cover, and its aggregation over connections. */
  misses: { column: string; aggregation: string } | null;
}

/** Cipherwatch's ids are hexadecimal; anything else stays out of the comment. */
const SAFE_ID = /^[0-9a-f]{1,64}$/i;

/**
 * The entries that compile, and a comment line for each stored entry that no longer passes the
 * editor's checks (a rule tightened since it was saved): it is left out, so the query shows more,
 * never less, and says so.
 */
export function compileSuppressions(suppressions: readonly KqlSuppression[]): { compiled: CompiledSuppression[]; leftOut: string[] } {
  const compiled: CompiledSuppression[] = [];
  const leftOut: string[] = [];
  suppressions.forEach((suppression, index) => {
    const name = `Suppression ${index + 1}${SAFE_ID.test(suppression.id) ? ` (Cipherwatch id ${suppression.id})` : ""}`;
    // Checking again keeps anything but valid conditions out of the query text.
    const parsed = suppressionConditionsSchema.safeParse(suppression.conditions);
    if (!parsed.success) {
      leftOut.push(`// ${name} is left out: its conditions no longer pass Cipherwatch's checks.`);
      return;
    }
    const missesColumn = `Suppression${index + 1}Misses`;
    const remote = remotePredicate(parsed.data);
    const predicate = [
      ...(suppression.expiresAt === null ? [] : [`now() < datetime(${isoTime(suppression.expiresAt)})`]),
      ...processPredicates(parsed.data),
      // A process the summary missed counts as missed: never hidden for want of a count.
      ...(remote === null ? [] : [`coalesce(${missesColumn}, 1) == 0`]),
    ].join(" and ");
    compiled.push({ comment: `// ${name}`, predicate, misses: remote === null ? null : { column: missesColumn, aggregation: `${missesColumn} = countif(not(${remote}))` } });
  });
  return { compiled, leftOut };
}

function isoTime(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new RangeError(`A suppression's expiry must be a time, not ${JSON.stringify(value)}.`);
  return time.toISOString();
}

/** Conditions on the process (its final row's columns). */
function processPredicates(conditions: SuppressionConditions): string[] {
  const predicates: string[] = [];
  const equalsIgnoringCase = (column: string, value: string) => `tolower(${column}) == ${kqlStringLiteral(caseless(value))}`;
  if (conditions.processName !== undefined) predicates.push(equalsIgnoringCase("ProcessName", conditions.processName));
  if (conditions.processPath !== undefined) predicates.push(`ProcessFolder matches regex ${kqlStringLiteral(pathRegex(conditions.processPath))}`);
  if (conditions.sha256 !== undefined) predicates.push(equalsIgnoringCase("ProcessSHA256", conditions.sha256));
  if (conditions.deviceName !== undefined) predicates.push(equalsIgnoringCase("DeviceName", conditions.deviceName));
  if (conditions.accountName !== undefined) predicates.push(equalsIgnoringCase("AccountName", conditions.accountName));
  if (conditions.sha256 === undefined && conditions.processPath === undefined) predicates.push("not(OutsideSystemFolder)");
  return predicates;
}

/**
 * A path pattern as an RE2 expression (what `matches regex` runs): `*` is any run of characters,
 * line breaks included; every ASCII punctuation character is escaped; a letter matches itself and
 * its other case when that lower-cases to the same (caseless), as wildcardMatches compares (a
 * rarer form such as the Kelvin sign, which wildcardMatches takes for k, is left out: the query
 * then shows more, never less).
 */
export function pathRegex(pattern: string): string {
  return `(?s)^${pattern.split("*").map((piece) => [...piece].map(caselessCharacter).join("")).join(".*")}$`;
}

function caselessCharacter(character: string): string {
  const lower = caseless(character);
  const forms = [...new Set([lower, character, character.toUpperCase()])].filter((form) => [...form].length === 1 && caseless(form) === lower);
  return forms.length > 1 ? `[${forms.join("")}]` : literalRegex(character);
}

function literalRegex(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, "\\$&");
}

/** The remote conditions on one connection (RemoteIP, RemotePort, RemoteUrl), or null without any. */
function remotePredicate(conditions: SuppressionConditions): string | null {
  const predicates: string[] = [];
  if (conditions.remoteIp !== undefined) predicates.push(addressPredicate(conditions.remoteIp));
  if (conditions.remotePort !== undefined) predicates.push(`RemotePort in (${conditions.remotePort.join(", ")})`);
  if (conditions.remoteDomain !== undefined) predicates.push(domainPredicate(conditions.remoteDomain));
  return predicates.length === 0 ? null : predicates.join(" and ");
}

/**
 * In one of the blocks. An IPv4-mapped address (::ffff:a.b.c.d) counts as its IPv4 address, as in
 * addressInBlock: blocks written that way become IPv4 blocks, and the connection's address is read
 * without the prefix. A function that cannot read an address answers null: coalesce makes it false.
 */
function addressPredicate(blocks: readonly string[]): string {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const block of blocks) {
    const [base, prefix] = block.includes("/") ? ipaddr.parseCIDR(block) : [ipaddr.parse(block), null];
    if (base.kind() === "ipv6" && (base as ipaddr.IPv6).isIPv4MappedAddress()) {
      // The schema holds a mapped block to /104 at least: an IPv4 /8 or narrower.
      v4.push(`${(base as ipaddr.IPv6).toIPv4Address().toString()}/${prefix === null ? 32 : prefix - 96}`);
    } else if (base.kind() === "ipv4") v4.push(`${base.toString()}/${prefix ?? 32}`);
    else v6.push(`${base.toString()}/${prefix ?? 128}`);
  }
  const tests = [
    ...(v4.length > 0 ? [`coalesce(ipv4_is_in_any_range(replace_regex(RemoteIP, @"^::[fF]{4}:", ""), dynamic([${v4.map(kqlStringLiteral).join(", ")}])), false)`] : []),
    // An IPv4 or IPv4-mapped address, however written, is in no IPv6 block, as in addressInBlock.
    ...(v6.length > 0
      ? [
          `(RemoteIP !contains "." and not(parse_ipv6(RemoteIP) startswith "0000:0000:0000:0000:0000:ffff:") and coalesce(ipv6_is_in_any_range(RemoteIP, dynamic([${v6.map(kqlStringLiteral).join(", ")}])), false))`,
        ]
      : []),
  ];
  return tests.length === 1 ? tests[0] : `(${tests.join(" or ")})`;
}

/**
 * The host name in RemoteUrl, as hostOfRemoteUrl reads it (no scheme, user or port, lower case),
 * without a final dot: empty when the connection named none.
 */
export const REMOTE_HOST_PATTERN = String.raw`(?s)^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#]*@)?([^/?#]*?)(?::\d+)?(?:[/?#].*)?$`;
const REMOTE_HOST = `trim_end(@"\\.", extract(${kqlStringLiteral(REMOTE_HOST_PATTERN)}, 1, tolower(trim(@"\\s+", RemoteUrl))))`;

/** `*.example.com` is a name ending in .example.com with something before it; anything else is that name. */
function domainPredicate(pattern: string): string {
  const name = pattern.replace(/\.$/, "");
  return name.startsWith("*.") ? `${REMOTE_HOST} matches regex ${kqlStringLiteral(`^.+${literalRegex(name.slice(1))}$`)}` : `${REMOTE_HOST} == ${kqlStringLiteral(name)}`;
}
