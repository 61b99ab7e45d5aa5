/**
 * Classifies a remote address the way Defender's RemoteIPType does, for sources that lack the
 * column (Sysmon) or leave it empty. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is read as IPv4.
 */
import ipaddr from "ipaddr.js";

export type RemoteAddressClass = "Public" | "Private" | "Loopback" | "LinkLocal" | "CarrierGradeNat" | "Multicast" | "Reserved" | "Invalid";

const CLASS_BY_RANGE: Record<string, RemoteAddressClass> = {
  unicast: "Public",
  private: "Private",
  uniqueLocal: "Private",
  loopback: "Loopback",
  linkLocal: "LinkLocal",
  carrierGradeNat: "CarrierGradeNat",
  multicast: "Multicast",
  broadcast: "Reserved",
  unspecified: "Reserved",
  reserved: "Reserved",
};

export function classifyRemoteAddress(address: string | null): RemoteAddressClass {
  if (!address || !ipaddr.isValid(address.trim())) return "Invalid";
  // ipaddr.process unwraps IPv4-mapped IPv6 addresses.
  return CLASS_BY_RANGE[ipaddr.process(address.trim()).range()] ?? "Reserved";
}

/** Defender RemoteIPTypes that say how the address is written, not where it points: the address itself decides. */
export const ADDRESS_FORM_TYPES = ["FourToSixMapping"];

/** Defender's RemoteIPType when present and a class, our own classification otherwise. */
export function remoteAddressClass(remoteIpType: string | null, remoteIp: string | null): string {
  return remoteIpType && remoteIpType.trim() !== "" && !ADDRESS_FORM_TYPES.includes(remoteIpType) ? remoteIpType : classifyRemoteAddress(remoteIp);
}
