/** Every kind of evidence the default mode weighs, in the order a finding shows their reasons. */
import { beaconing } from "./beaconing";
import { clock } from "./clock";
import { commandLine } from "./command-line";
import { cryptoLoadThenConnect } from "./crypto-load-then-connect";
import type { EvidenceModule } from "./evidence-module";
import { lineage } from "./lineage";
import { opensslThenNetwork } from "./openssl-then-network";
import { shortBeacon } from "./short-beacon";
import { suspiciousImageLoadThenConnect } from "./suspicious-image-load-then-connect";

export const EVIDENCE_MODULES: readonly EvidenceModule[] = [
  cryptoLoadThenConnect,
  beaconing,
  suspiciousImageLoadThenConnect,
  shortBeacon,
  lineage,
  commandLine,
  clock,
  opensslThenNetwork,
];
