/**
 * The address a request came from, as the audit log and the sign-in limit see it; the server
 * stamps it on each request from the socket (lib/server/client-address-stamp). Pure.
 */

/**
 * The socket's peer, or behind a trusted reverse proxy the last X-Forwarded-For entry (the one the
 * proxy appended; earlier entries are whatever the client claimed). IPv4-mapped IPv6 addresses
 * read as IPv4.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  const forwarded = trustProxy ? [forwardedFor ?? []].flat().join(",").split(",").map((entry) => entry.trim()).filter((entry) => entry !== "").at(-1) : undefined;
  const address = forwarded ?? peer;
  if (!address) return "unknown";
  return address.toLowerCase().startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
