/** Serialises rows the way Defender's portal (CSV) and API (JSON) export them, and names the demo's files. */
import { generateDemoSysmonCapture } from "./generate-demo-sysmon";
import { generateDemoTelemetry, type MdeRecord } from "./generate-demo-telemetry";

/** The demo's files, as the Upload page and `cw seed-demo` take them: three Defender exports and a Sysmon capture. */
export function demoFiles(): { name: string; text: string }[] {
  const demo = generateDemoTelemetry();
  return [
    { name: "DeviceImageLoadEvents.csv", text: toPortalCsv(demo.imageLoads) },
    { name: "DeviceNetworkEvents.csv", text: toPortalCsv(demo.network) },
    { name: "DeviceProcessEvents.json", text: toApiJson(demo.processes) },
    { name: "sysmon-lab-capture.json", text: generateDemoSysmonCapture() },
  ];
}

function toPortalCsv(rows: MdeRecord[]): string {
  const columns = columnsOf(rows);
  const lines = [columns.join(","), ...rows.map((row) => columns.map((column) => csvField(row[column])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

function toApiJson(rows: MdeRecord[]): string {
  const columns = columnsOf(rows);
  const schema = columns.map((name) => ({ Name: name, Type: typeof rows.find((row) => row[name] !== undefined)?.[name] === "number" ? "Int64" : "String" }));
  return JSON.stringify({ Schema: schema, Results: rows }, null, 1);
}

function columnsOf(rows: MdeRecord[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key);
  return [...columns];
}

/** One CSV field as the portal writes it: empty when unknown, quoted when it holds a quote, comma or line break. */
export function csvField(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
