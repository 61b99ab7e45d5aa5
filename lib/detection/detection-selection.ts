/**
 * Which stored events a detection run needs, so the store can choose them in SQLite and
 * JavaScript builds and scores only candidate processes. A process (on its device, by PID: a
 * superset of what either mode groups by) is a candidate when a rule of either mode could fire
 * for it:
 * - it loaded a crypto library (the seed query's join, and the default mode's first rule);
 * - it connected to one address (on any ports) at least `seriesMinConnections` times: the fewer of
 *   the beacon minimum (the beacon-only rule) and SHORT_BEACON_MIN_CONNECTIONS (the short-beacon rule),
 *   counting its connections to addresses of the classes either mode scores;
 * - its image is a network tool (the openssl rule).
 * Of a candidate the store reads every connection a mode counts; of process creations, those of
 * candidates, of their parents (lineage) and every `openssl` run (the openssl rule).
 *
 * Pure: lists, settings and the as-of instant are arguments.
 */
import { ADDRESS_FORM_TYPES } from "../telemetry/classify-remote-address";
import { MICROS_PER_HOUR } from "../telemetry/iso-timestamp";
import { outboundActionTypes, outboundAddressClasses } from "./default-detection";
import { NETWORK_TOOL_NAMES, OPENSSL_NAMES } from "./evidence/openssl-then-network";
import { SHORT_BEACON_MIN_CONNECTIONS } from "./evidence/short-beacon";
import type { DetectionLists } from "./detection-lists";
import type { DetectionSettings } from "./detection-settings";
import { LOOKBACK_US } from "./seed-kql-query";

export interface DetectionSelection {
  /** Lower-cased, as both modes compare names. */
  cryptoLibraries: string[];
  networkTools: string[];
  opensslNames: string[];
  seriesMinConnections: number;
  /**
   * Connections are read when their RemoteIPType is one of these: the classes either mode scores
   * (the seed query's "Public" among them) and the types detection classifies by the address
   * (FourToSixMapping). Also when the type is missing or not plain ASCII: detection decides then.
   */
  addressClasses: string[];
  /** Connections are read with these ActionTypes (ConnectionSuccess, and failed attempts in lab mode). */
  actionTypes: string[];
  /**
   * Loads and connections are read when after `afterUs` and at or before `untilUs` (the as-of
   * time): both modes' lookback. Process creations are read whatever their time: a process may
   * be older than the window.
   */
  afterUs: number;
  untilUs: number;
}

const lowerCased = (names: readonly string[]) => [...new Set(names.map((name) => name.toLowerCase()))];

export function detectionSelection(lists: Pick<DetectionLists, "cryptoLibraries">, settings: Pick<DetectionSettings, "beaconMinConnections" | "lookbackHours" | "labMode">, asOfUs: number): DetectionSelection {
  return {
    cryptoLibraries: lowerCased(lists.cryptoLibraries),
    networkTools: lowerCased(NETWORK_TOOL_NAMES),
    opensslNames: lowerCased(OPENSSL_NAMES),
    seriesMinConnections: Math.min(settings.beaconMinConnections, SHORT_BEACON_MIN_CONNECTIONS),
    addressClasses: [...outboundAddressClasses(settings), ...ADDRESS_FORM_TYPES],
    actionTypes: outboundActionTypes(settings),
    afterUs: asOfUs - Math.max(LOOKBACK_US, settings.lookbackHours * MICROS_PER_HOUR),
    untilUs: asOfUs,
  };
}
