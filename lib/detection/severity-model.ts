/**
 * How a corrected finding's evidence adds up to a severity, with each step explained.
 *
 * What fired sets the base: a lone crypto load then connection is low (background software does
 * that all day); a strong beacon medium, and high with the correlation; the openssl sequence
 * high. Then each modifier of SEVERITY_MODIFIERS, in order, moves it a level when its kind of
 * evidence is there: adding a kind of evidence means adding a modifier and its test. Confidence
 * comes from how many independent kinds of evidence agree.
 *
 * Pure.
 */
import type { RuleId } from "./default-detection";
import { prevalenceClass, prevalenceText, type FleetPrevalence } from "./fleet-prevalence";

export type Severity = "low" | "medium" | "high" | "critical";
export type Confidence = "low" | "medium" | "high";

export const SEVERITY_ORDER: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
export const CONFIDENCE_ORDER: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };
const SEVERITIES: Severity[] = ["low", "medium", "high", "critical"];

/** What a finding's severity is rated from. */
export interface SeverityEvidence {
  rules: readonly RuleId[];
  strongBeacon: boolean;
  commandLineIndicators: number;
  lineageFlags: number;
  /** Null until its run reads the fleet's counts (and in unit tests of single devices). */
  prevalence: FleetPrevalence | null;
}

export interface SeverityRating {
  severity: Severity;
  confidence: Confidence;
  /** How the evidence added up to the severity, step by step. */
  severityBasis: string[];
}

/** A kind of evidence that moves the severity one level: `reason` says why, or null when it is absent. */
interface SeverityModifier {
  direction: 1 | -1;
  /** Whether it counts as an independent kind of evidence toward confidence. */
  signal: boolean;
  reason: (evidence: SeverityEvidence) => string | null;
}

const SEVERITY_MODIFIERS: readonly SeverityModifier[] = [
  {
    // Lineage or location, and command-line indicators, are one level together: both describe the process itself.
    direction: 1,
    signal: false,
    reason: ({ lineageFlags, commandLineIndicators }) => {
      const kinds = [lineageFlags > 0 ? "lineage or location" : null, commandLineIndicators > 0 ? "command line" : null].filter((kind) => kind !== null);
      return kinds.length > 0 ? `Suspicious ${kinds.join(" and ")}` : null;
    },
  },
  {
    direction: 1,
    signal: true,
    reason: ({ prevalence }) => {
      if (prevalence === null) return null;
      const { binaryDevices, destinationIp, destinationDevices, fleetDevices } = prevalence;
      const rare = [
        prevalenceClass(binaryDevices, fleetDevices) === "rare" ? `binary ${prevalenceText(binaryDevices, fleetDevices)}` : null,
        destinationDevices !== null && prevalenceClass(destinationDevices, fleetDevices) === "rare" ? `destination ${destinationIp} ${prevalenceText(destinationDevices, fleetDevices)}` : null,
      ].filter((text) => text !== null);
      return rare.length > 0 ? `Rare ${rare.join(" and ")}` : null;
    },
  },
  {
    // Software most of the fleet runs, talking where most of the fleet talks, is background until
    // more says otherwise. A common binary (powershell.exe, an injected svchost.exe) reaching a
    // destination few devices call is not: that is how C2 hides.
    direction: -1,
    signal: false,
    reason: ({ prevalence }) => {
      if (prevalence === null) return null;
      const { binaryDevices, destinationIp, destinationDevices, fleetDevices } = prevalence;
      if (prevalenceClass(binaryDevices, fleetDevices) !== "common") return null;
      if (destinationDevices === null) return `Common binary, ${prevalenceText(binaryDevices, fleetDevices)}`;
      return prevalenceClass(destinationDevices, fleetDevices) === "common"
        ? `Common binary and destination: ${prevalenceText(binaryDevices, fleetDevices)}, ${destinationIp} ${prevalenceText(destinationDevices, fleetDevices)}`
        : null;
    },
  },
];

export function rateSeverity(evidence: SeverityEvidence): SeverityRating {
  const { rules, strongBeacon, commandLineIndicators, lineageFlags } = evidence;
  // The correlation: a crypto load then a connection, on a non-standard port or from a suspicious image.
  const correlation = rules.includes("crypto-load-then-connect")
    ? "Crypto DLL load then connection"
    : rules.includes("suspicious-image-load-then-connect")
      ? "Crypto DLL load then connection from a suspicious image"
      : null;
  const [base, basis]: [number, string] = rules.includes("openssl-then-network")
    ? [2, "openssl encryption then a network tool"]
    : correlation && strongBeacon
      ? [2, `${correlation}, with a strong beacon`]
      : strongBeacon
        ? [1, "Strong beacon"]
        : correlation && rules.includes("short-beacon")
          ? [0, `${correlation}, and a short beacon`]
          : [0, correlation ? `${correlation} alone` : "Short beacon alone"];
  const severityBasis = [`${basis}: ${SEVERITIES[base]}`];
  let level = base;
  let signals = rules.length + (commandLineIndicators > 0 ? 1 : 0) + (lineageFlags > 0 ? 1 : 0);
  for (const modifier of SEVERITY_MODIFIERS) {
    const reason = modifier.reason(evidence);
    if (reason === null) continue;
    level = Math.min(Math.max(level + modifier.direction, 0), SEVERITIES.length - 1);
    severityBasis.push(`${reason}: one level ${modifier.direction > 0 ? "up" : "down"}, ${SEVERITIES[level]}`);
    if (modifier.signal) signals++;
  }
  return { severity: SEVERITIES[level], confidence: signals >= 3 ? "high" : signals === 2 ? "medium" : "low", severityBasis };
}

/**
 * What each kind of evidence does to the severity, alone and with the others: shown on a finding's
 * page, and as the README's evidence table (a test keeps the two the same).
 */
export const SEVERITY_EVIDENCE_TABLE: readonly { evidence: string; alone: string; withOthers: string }[] = [
  { evidence: "crypto DLL load, then a connection on a non-standard port within the window", alone: "low: background software does this all day", withOthers: "with a strong beacon, high" },
  { evidence: "strong beacon (per port, or per address across ports)", alone: "medium", withOthers: "with the load-then-connect correlation, high" },
  { evidence: "short beacon: 6 to 9 regular connections on a non-standard port", alone: "nothing", withOthers: "with suspicious lineage or location, medium" },
  { evidence: "crypto DLL load, then a connection on any port, from a suspicious image (its lineage or name, or a staging folder such as Downloads)", alone: "low", withOthers: "as the correlation above; the lineage that makes the image suspicious adds one level" },
  { evidence: "openssl encryption, then a network tool connecting out", alone: "high", withOthers: "" },
  { evidence: "lineage or location (Office or a script host starting a shell, a user-writable folder, a name imitating a system binary, a system name outside its folder)", alone: "nothing", withOthers: "one level up (with command-line indicators too, still one)" },
  { evidence: "command-line indicators", alone: "nothing", withOthers: "one level up (with lineage too, still one)" },
  { evidence: "rare binary or destination: seen on one device, or on at most 2% of a fleet of 10 or more", alone: "nothing", withOthers: "one level up (both rare, still one)" },
  { evidence: "common binary to a common destination: both on half the fleet or more (or no destination)", alone: "nothing", withOthers: "one level down" },
];
