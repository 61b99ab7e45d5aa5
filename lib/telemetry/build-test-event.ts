/** Builds hand-written events for unit tests: only the fields a case cares about need spelling out. */
import { parseIsoTimestamp } from "./iso-timestamp";
import { UNKNOWN_EVENT_FIELDS, type TelemetryEvent, type TelemetryKind } from "./telemetry-event";

export type TestEventInput = Partial<Omit<TelemetryEvent, "timestamp" | "timeUs" | "kind">> & { at: string };

export function buildTestEvent(kind: TelemetryKind, input: TestEventInput): TelemetryEvent {
  const { at, ...fields } = input;
  const parsed = parseIsoTimestamp(at);
  if (!parsed) throw new Error(`bad test timestamp ${at}`);
  return {
    kind,
    timestamp: parsed.text,
    timeUs: parsed.us,
    ...UNKNOWN_EVENT_FIELDS,
    deviceName: "ws-01",
    actionType: kind === "image_load" ? "ImageLoaded" : kind === "network" ? "ConnectionSuccess" : "ProcessCreated",
    remoteIpType: kind === "network" ? "Public" : null,
    source: "mde",
    ...fields,
  };
}
