/**
 * A large synthetic fleet for benchmarks: deterministic, built straight into the event model.
 * Each process loads DLLs (some of them crypto libraries) and connects out (some connections to
 * public addresses on non-standard ports), so every stage of both detection modes has work.
 */
import { formatMicros, MICROS_PER_HOUR } from "../telemetry/iso-timestamp";
import { UNKNOWN_EVENT_FIELDS, type TelemetryEvent } from "../telemetry/telemetry-event";

export interface FleetSize {
  devices: number;
  processesPerDevice: number;
  loadsPerProcess: number;
  connectionsPerProcess: number;
}

const DLLS = ["bcrypt.dll", "kernel32.dll", "user32.dll", "rsaenh.dll", "ws2_32.dll", "ole32.dll", "ncrypt.dll", "winhttp.dll", "gdi32.dll", "crypt32.dll"];
const PORTS = [443, 443, 80, 4444, 8443, 7443, 53, 9001, 443, 3389];

export function* syntheticFleet(size: FleetSize, startUs = Date.UTC(2026, 10, 24) * 1000): Generator<TelemetryEvent> {
  let id = 0;
  const spanUs = 23 * MICROS_PER_HOUR;
  for (let device = 0; device < size.devices; device++) {
    const deviceName = `bench-${String(device).padStart(4, "0")}.corp.example`;
    for (let process = 0; process < size.processesPerDevice; process++) {
      const processId = 1000 + process * 4;
      const createdUs = startUs + ((device * 7919 + process * 104729) % 3600) * 1_000_000;
      const shared = {
        deviceId: `dev${device}`,
        deviceName,
        initiatingProcessFileName: `app${process % 50}.exe`,
        initiatingProcessFolderPath: `C:\\Program Files\\App${process % 50}\\app${process % 50}.exe`,
        initiatingProcessId: processId,
        initiatingProcessCommandLine: `app${process % 50}.exe --worker ${process}`,
        initiatingProcessCreationTime: formatMicros(createdUs),
        initiatingProcessAccountName: "svc",
        initiatingProcessSHA256: `sha${process % 50}`,
      };
      const periodUs = Math.floor(spanUs / size.connectionsPerProcess);
      for (let i = 0; i < size.loadsPerProcess; i++) {
        const timeUs = createdUs + i * 1_000_000;
        yield event(++id, "image_load", timeUs, { ...shared, actionType: "ImageLoaded", fileName: DLLS[(i + process) % DLLS.length] });
      }
      for (let i = 0; i < size.connectionsPerProcess; i++) {
        const timeUs = createdUs + 60_000_000 + i * periodUs + ((i * 7_919_000) % 5_000_000);
        const remotePort = PORTS[(i + process) % PORTS.length];
        yield event(++id, "network", timeUs, {
          ...shared,
          actionType: "ConnectionSuccess",
          remoteIp: `203.0.${device % 256}.${process % 256}`,
          remotePort,
          remoteIpType: i % 4 === 3 ? "Private" : "Public",
          sentBytes: 200 + (i % 17),
          receivedBytes: 80 + (i % 13),
        });
      }
    }
  }
}

function event(id: number, kind: TelemetryEvent["kind"], timeUs: number, fields: Partial<TelemetryEvent>): TelemetryEvent {
  return {
    id,
    kind,
    timestamp: formatMicros(timeUs),
    timeUs,
    ...UNKNOWN_EVENT_FIELDS,
    deviceName: "",
    actionType: "",
    source: "mde",
    ...fields,
  };
}
