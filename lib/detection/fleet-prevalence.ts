/**
 * Fleet prevalence, the stack counting hunters do and RITA v5's prevalence modifier: on how many
 * devices a binary runs, and how many devices connect to an address. Software on most of the
 * fleet is ordinary; a binary or destination seen on one device is worth a closer look.
 *
 * The store counts these keys per upload as events are stored (event-store), over complete
 * uploads only, so a detection run reads counts, never events.
 *
 * Pure.
 */

export type PrevalenceKind = "binary" | "destination";

/** A fleet smaller than this says nothing by rarity: in a lab of a few hosts every binary is "rare". */
const RARITY_MIN_FLEET_DEVICES = 10;
/** Rare: on one device, or on at most this share of the fleet (RITA's increase threshold). */
const RARE_FLEET_SHARE = 0.02;
/** Common: on at least this share of the fleet (RITA's decrease threshold). */
const COMMON_FLEET_SHARE = 0.5;

/**
 * Folds ASCII letters only, as SQLite's lower() does: the migration that counted stored events
 * computed the same keys in SQL, and both must agree.
 */
const asciiLowerCase = (text: string) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/**
 * The key a binary is counted by: its SHA256 (one build of a program is one binary wherever it is
 * copied), else its folder and name (Sysmon's network and load events carry no hash).
 */
export function binaryPrevalenceKey(sha256: string | null, folderPath: string | null, fileName: string | null): string {
  return sha256 ? sha256Key(sha256) : pathKey(folderPath, fileName);
}

/**
 * The keys an event records for a binary it shows running: its folder and name always, and its
 * SHA256 when known, so a binary whose events carry a hash only sometimes (Sysmon's creations
 * do, its connections do not) is counted on every device it runs on either way.
 */
export function binaryPrevalenceKeys(sha256: string | null, folderPath: string | null, fileName: string | null): string[] {
  return sha256 ? [pathKey(folderPath, fileName), sha256Key(sha256)] : [pathKey(folderPath, fileName)];
}

const sha256Key = (sha256: string) => `sha256:${asciiLowerCase(sha256)}`;
const pathKey = (folderPath: string | null, fileName: string | null) => `path:${asciiLowerCase(folderPath ?? "")}|${asciiLowerCase(fileName ?? "")}`;

/** An address as counted: IPv6 spellings differ only in case here (the store keeps them as sent). */
export function destinationPrevalenceKey(remoteIp: string): string {
  return asciiLowerCase(remoteIp);
}

/** The connection ActionTypes that count a device as calling an address: outbound ones, attempts included (not accepted inbound connections). */
export const OUTBOUND_CONNECTION_ACTIONS: readonly string[] = ["ConnectionSuccess", "ConnectionFailed", "ConnectionAttempt", "ConnectionRequest"];

/** What a finding's rating knows of the fleet: counts read when its run ended. */
export interface FleetPrevalence {
  /** Devices on which its process's binary ran. */
  binaryDevices: number;
  /** The address it is rated by (the rarest it connected to), and the devices that connected out to it; null without one. */
  destinationIp: string | null;
  destinationDevices: number | null;
  /** Devices with any stored event. */
  fleetDevices: number;
}

/**
 * A finding's prevalence from its keys' device counts: its binary's, and the rarest address it
 * called that the fleet has seen called (an address counted on no device was only reached inbound).
 */
export function fleetPrevalence(binaryDevices: number, destinations: Iterable<[key: string, devices: number]>, fleetDevices: number): FleetPrevalence {
  let rarest: [key: string, devices: number] | null = null;
  for (const destination of destinations) if (destination[1] > 0 && (rarest === null || destination[1] < rarest[1])) rarest = destination;
  return { binaryDevices, destinationIp: rarest?.[0] ?? null, destinationDevices: rarest?.[1] ?? null, fleetDevices };
}

export type PrevalenceClass = "rare" | "common" | "ordinary";

/** How common `devices` of the fleet is; ordinary in a fleet too small to tell. */
export function prevalenceClass(devices: number, fleetDevices: number): PrevalenceClass {
  if (fleetDevices < RARITY_MIN_FLEET_DEVICES || devices <= 0) return "ordinary";
  if (devices <= Math.max(1, Math.floor(fleetDevices * RARE_FLEET_SHARE))) return "rare";
  return devices >= fleetDevices * COMMON_FLEET_SHARE ? "common" : "ordinary";
}

/** "seen on 1 of 240 devices" */
export function prevalenceText(devices: number, fleetDevices: number): string {
  return `seen on ${devices} of ${fleetDevices} device${fleetDevices === 1 ? "" : "s"}`;
}
