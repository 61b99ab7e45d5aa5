/**
 * One whole file to normalised events (tests, small uploads): the stream parser fed in one piece.
 */
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { TelemetryStreamParser, type TelemetryParseSummary } from "./telemetry-stream-parser";

export { MAX_LISTED_ERRORS, type RowError } from "./telemetry-stream-parser";

export interface ParsedTelemetryFile extends TelemetryParseSummary {
  events: TelemetryEvent[];
}

export function parseTelemetryFile(text: string): ParsedTelemetryFile {
  const events: TelemetryEvent[] = [];
  const parser = new TelemetryStreamParser((batch) => events.push(...batch));
  parser.write(text);
  return { ...parser.end(), events };
}
