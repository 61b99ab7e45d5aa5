/** A stored finding of either mode as suppressions see it (lib/tuning/suppression). Pure. */
import type { DefaultFindingSummary } from "../detection/finding-list";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import type { SuppressibleFinding } from "./suppression";

export function suppressibleDefaultFinding(finding: Pick<DefaultFindingSummary, "process" | "connections">): SuppressibleFinding {
  const { process, connections } = finding;
  return {
    deviceName: process.deviceName,
    processName: process.processName,
    processPath: process.folderPath,
    sha256: process.sha256,
    accountName: process.accountName,
    destinations: connections.destinations.map(({ remoteIp, remotePort, remoteDomains }) => ({ remoteIp, remotePort, remoteDomains: remoteDomains ?? [] })),
  };
}

/**
 * The seed query's row: its addresses and ports are separate lists (it does not pair them), and
 * it has no folder or host names, so path and domain conditions do not match it.
 */
export function suppressibleSeedRow(row: SeedQueryRow): SuppressibleFinding {
  return {
    deviceName: row.DeviceName,
    processName: row.ProcessName,
    processPath: null,
    sha256: row.ProcessSHA256 || null,
    accountName: row.AccountName || null,
    destinations: row.RemoteIPs.flatMap((remoteIp) => (row.RemotePorts.length > 0 ? row.RemotePorts : [null]).map((remotePort) => ({ remoteIp, remotePort, remoteDomains: [] }))),
  };
}
