/** A stored finding of either mode as suppressions see it (lib/tuning/suppression). Pure. */
import type { DefaultFindingSummary } from "../detection/finding-list";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import type { SuppressibleFinding } from "./suppression";

/** A default-mode finding; `outsideSystemFolder` is the stored finding's flag (see Finding). */
export function suppressibleDefaultFinding(finding: Pick<DefaultFindingSummary, "process" | "connections">, outsideSystemFolder: boolean): SuppressibleFinding {
  const { process, connections } = finding;
  return {
    deviceName: process.deviceName,
    processName: process.processName,
    processPath: process.folderPath,
    sha256: process.sha256,
    accountName: process.accountName,
    outsideSystemFolder,
    // Findings stored before host names were kept have none: a domain condition does not match them.
    destinations: connections.destinations.map(({ remoteIp, remotePort, remoteDomains = [], unnamedConnections = 1 }) => ({
      remoteIp,
      remotePort,
      remoteDomains,
      unnamedConnections: unnamedConnections > 0,
    })),
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
    // The seed query hides an excluded name wherever the image is, so it never flags one outside its folder.
    outsideSystemFolder: false,
    destinations: row.RemoteIPs.flatMap((remoteIp) =>
      (row.RemotePorts.length > 0 ? row.RemotePorts : [null]).map((remotePort) => ({ remoteIp, remotePort, remoteDomains: [], unnamedConnections: true })),
    ),
  };
}
