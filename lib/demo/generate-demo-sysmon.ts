/**
 * A deterministic Sysmon capture for the demo, in the flat JSON-lines shape of OTRF's
 * Security-Datasets: a lab host whose collector logs local time labelled Z (7 h behind UTC), and
 * whose Sysmon stamps network events (event 3) with a clock three days slow. A payload run from
 * Downloads loads crypto DLLs, then beacons every minute on 443: placed by the collector's clock
 * (lib/ingest/sysmon-clock) its connections follow its loads; as Sysmon dated them, they precede
 * its own creation and fall outside any lookback.
 * Pure: the same options always give the same lines.
 */
import { createRandom, DEFAULT_DEMO_OPTIONS, type DemoOptions } from "./generate-demo-telemetry";

const HOST = "lab-sysmon-01";
const COLLECTOR_BEHIND_MS = 7 * 3600_000;
const NETWORK_CLOCK_SLOW_MS = 3 * 86_400_000;
const PAYLOAD_GUID = "{6a1f0c2e-5b1e-6742-9d03-000000001f00}";
const PAYLOAD_IMAGE = "C:\\Users\\mark\\Downloads\\invoice-2026-11.exe";
const C2 = "185.141.63.120";

export function generateDemoSysmonCapture(options: DemoOptions = DEFAULT_DEMO_OPTIONS): string {
  const random = createRandom(options.seed + 1);
  const startMs = Date.parse(options.startIso) + 9 * 3600_000;
  const lines: Record<string, string | number>[] = [];
  /** Sysmon's UtcTime (`clockSkewMs` early for a skewed kind), and the collector's local time labelled Z. */
  const record = (eventId: number, atMs: number, fields: Record<string, string | number>, clockSkewMs = 0) => {
    const utc = new Date(atMs - clockSkewMs).toISOString().replace("T", " ").slice(0, 23);
    const logged = new Date(atMs + random.int(20, 90) - COLLECTOR_BEHIND_MS).toISOString();
    lines.push({ SourceName: "Microsoft-Windows-Sysmon", Channel: "Microsoft-Windows-Sysmon/Operational", Hostname: HOST, EventID: eventId, "@timestamp": logged, UtcTime: utc, ...fields });
  };
  const process = (atMs: number, guid: string, pid: number, image: string, commandLine: string, parentImage: string) =>
    record(1, atMs, { ProcessGuid: guid, ProcessId: pid, Image: image, CommandLine: commandLine, ParentImage: parentImage, ParentProcessId: random.int(500, 9000), User: "LAB\\mark", Hashes: `SHA256=${random.hex(64).toUpperCase()}` });

  // Ordinary activity on the host's own clock: it gives the collector's offset for process creations.
  for (let index = 0; index < 6; index++) {
    process(startMs - (6 - index) * 600_000, `{6a1f0c2e-5b1e-6742-9d03-0000000010${index}0}`, random.int(500, 9000), "C:\\Windows\\System32\\svchost.exe", "svchost.exe -k netsvcs -p", "C:\\Windows\\System32\\services.exe");
  }
  process(startMs, PAYLOAD_GUID, 6644, PAYLOAD_IMAGE, `"${PAYLOAD_IMAGE}"`, "C:\\Windows\\explorer.exe");
  for (const [offsetMs, dll] of [[800, "bcrypt.dll"], [812, "rsaenh.dll"]] as const) {
    record(7, startMs + offsetMs, { ProcessGuid: PAYLOAD_GUID, ProcessId: 6644, Image: PAYLOAD_IMAGE, ImageLoaded: `C:\\Windows\\System32\\${dll}`, User: "LAB\\mark" });
  }
  for (let beat = 0; beat < 12; beat++) {
    const atMs = startMs + 2_000 + beat * 60_000 + random.int(-1500, 1500);
    record(
      3,
      atMs,
      { ProcessGuid: PAYLOAD_GUID, ProcessId: 6644, Image: PAYLOAD_IMAGE, Protocol: "tcp", Initiated: "true", SourceIp: "10.50.0.21", SourcePort: random.int(49152, 65535), DestinationIp: C2, DestinationPort: 443, User: "LAB\\mark" },
      NETWORK_CLOCK_SLOW_MS,
    );
  }
  return `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`;
}
