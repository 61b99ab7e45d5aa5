/**
 * Benchmark rows as Defender's portal exports them: every column of an Advanced Hunting export
 * (the header of ../shared/samples' mixed export, 96 columns), filled as the sample's own
 * ImageLoaded and ConnectionSuccess rows are, with values of real lengths: 40- to 64-character
 * hashes, full install paths, a 250-character command line, cloud SIDs, UPNs and object ids,
 * version information and a ReportId (a 0 to 250-character command line, by process). Built from the synthetic fleet's events, so the detection
 * fields stay the fleet's own.
 */
import type { TelemetryEvent } from "../telemetry/telemetry-event";

export const DEFENDER_EXPORT_COLUMNS = [
  "Timestamp",
  "DeviceId",
  "DeviceName",
  "ActionType",
  "FileName",
  "FolderPath",
  "SHA1",
  "SHA256",
  "MD5",
  "FileSize",
  "AccountDomain",
  "AccountName",
  "AccountSid",
  "RemoteUrl",
  "RemoteDeviceName",
  "ProcessId",
  "ProcessCommandLine",
  "ProcessCreationTime",
  "ProcessTokenElevation",
  "LogonId",
  "RegistryKey",
  "RegistryValueName",
  "RegistryValueData",
  "RemoteIP",
  "RemotePort",
  "LocalIP",
  "LocalPort",
  "InitiatingProcessSHA1",
  "InitiatingProcessSHA256",
  "InitiatingProcessMD5",
  "InitiatingProcessFileName",
  "InitiatingProcessFileSize",
  "InitiatingProcessFolderPath",
  "InitiatingProcessId",
  "InitiatingProcessCommandLine",
  "InitiatingProcessCreationTime",
  "InitiatingProcessAccountDomain",
  "InitiatingProcessAccountName",
  "InitiatingProcessAccountSid",
  "InitiatingProcessAccountUpn",
  "InitiatingProcessAccountObjectId",
  "InitiatingProcessVersionInfoCompanyName",
  "InitiatingProcessVersionInfoProductName",
  "InitiatingProcessVersionInfoProductVersion",
  "InitiatingProcessVersionInfoInternalFileName",
  "InitiatingProcessVersionInfoOriginalFileName",
  "InitiatingProcessVersionInfoFileDescription",
  "InitiatingProcessParentId",
  "InitiatingProcessParentFileName",
  "InitiatingProcessParentCreationTime",
  "InitiatingProcessLogonId",
  "ReportId_long",
  "ReportId_string",
  "AdditionalFields",
  "ProcessVersionInfoCompanyName",
  "ProcessVersionInfoProductName",
  "ProcessVersionInfoProductVersion",
  "ProcessVersionInfoInternalFileName",
  "ProcessVersionInfoOriginalFileName",
  "ProcessVersionInfoFileDescription",
  "ProcessIntegrityLevel",
  "AccountUpn",
  "InitiatingProcessIntegrityLevel",
  "InitiatingProcessTokenElevation",
  "InitiatingProcessSignerType",
  "InitiatingProcessSignatureStatus",
  "Protocol",
  "LocalIPType",
  "RemoteIPType",
  "PreviousFolderPath",
  "PreviousFileName",
  "RequestProtocol",
  "RequestAccountName",
  "RequestAccountDomain",
  "RequestAccountSid",
  "LogonType",
  "FailureReason",
  "IsLocalAdmin",
  "RegistryValueType",
  "PreviousRegistryKey",
  "PreviousRegistryValueName",
  "PreviousRegistryValueData",
  "Url",
  "Workload",
  "NetworkMessageId",
  "ThreatTypes",
  "DetectionMethods",
  "IPAddress",
  "IsClickedThrough",
  "UrlChain",
  "FileOriginUrl",
  "FileOriginIP",
  "FileOriginReferrerUrl",
  "RequestSourceIP",
  "RequestSourcePort",
  "ShareName",
] as const;

export type DefenderExportRow = Partial<Record<(typeof DEFENDER_EXPORT_COLUMNS)[number], string | number | null>>;

/** A stable hex string of `length` characters derived from `seed` (hashes of the right width, not real ones). */
function hex(seed: string, length: number): string {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0;
  let out = "";
  while (out.length < length) {
    state = Math.imul(state ^ (state >>> 15), 2246822507) >>> 0;
    out += state.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

// Chrome's network service, as the sample exports it: what real command lines are like in length.
const COMMAND_LINE_TAIL =
  "--type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2196 " +
  "--field-trial-handle=1900,i,10931795437411862211,8912519766713713453,262144 --variations-seed-version /prefetch:8";

export function defenderExportRow(event: TelemetryEvent, reportId: number): DefenderExportRow {
  const process = event.initiatingProcessFileName ?? "";
  const processSeed = `${event.deviceName}/${process}/${event.initiatingProcessId}`;
  const common: DefenderExportRow = {
    Timestamp: event.timestamp,
    DeviceId: hex(event.deviceId ?? event.deviceName, 40),
    DeviceName: event.deviceName,
    ActionType: event.actionType,
    InitiatingProcessSHA1: hex(`sha1/${process}`, 40),
    InitiatingProcessSHA256: hex(`sha256/${process}`, 64),
    InitiatingProcessMD5: hex(`md5/${process}`, 32),
    InitiatingProcessFileName: process,
    InitiatingProcessFileSize: 2693920,
    InitiatingProcessFolderPath: event.initiatingProcessFolderPath,
    InitiatingProcessId: event.initiatingProcessId,
    // From a bare name to the 250 characters of a browser's helper, varying by process.
    InitiatingProcessCommandLine: `"${process}" ${event.initiatingProcessCommandLine ?? ""} ${COMMAND_LINE_TAIL.slice(0, ((event.initiatingProcessId ?? 0) * 37) % COMMAND_LINE_TAIL.length)}`,
    InitiatingProcessCreationTime: event.initiatingProcessCreationTime,
    InitiatingProcessAccountDomain: "corp.example",
    InitiatingProcessAccountName: event.initiatingProcessAccountName,
    InitiatingProcessAccountSid: `S-1-12-1-${parseInt(hex(processSeed, 8), 16)}-1135560558-3624403883-78689574`,
    InitiatingProcessAccountUpn: `${event.initiatingProcessAccountName}@corp.example.com`,
    InitiatingProcessAccountObjectId: `${hex(processSeed, 8)}-476e-43af-ab03-08d826b5b004`,
    InitiatingProcessVersionInfoCompanyName: "Example Software Ltd",
    InitiatingProcessVersionInfoProductName: "Example Agent",
    InitiatingProcessVersionInfoProductVersion: "120.0.6099.110",
    InitiatingProcessVersionInfoInternalFileName: process.replace(/\.exe$/i, "_exe"),
    InitiatingProcessVersionInfoOriginalFileName: process,
    InitiatingProcessVersionInfoFileDescription: "Example Agent Service",
    InitiatingProcessParentId: 1100,
    InitiatingProcessParentFileName: "services.exe",
    InitiatingProcessParentCreationTime: "2023-12-21T15:51:52.2912278Z",
    ReportId_long: reportId,
    InitiatingProcessIntegrityLevel: "Medium",
    InitiatingProcessTokenElevation: "TokenElevationTypeLimited",
  };
  if (event.kind === "image_load") {
    const file = event.fileName ?? "";
    return {
      ...common,
      FileName: file,
      FolderPath: `C:\\Windows\\System32\\${file}`,
      SHA1: hex(`sha1/${file}`, 40),
      SHA256: hex(`sha256/${file}`, 64),
      MD5: hex(`md5/${file}`, 32),
      FileSize: 122128,
    };
  }
  return {
    ...common,
    RemoteUrl: `https://telemetry-${hex(event.remoteIp ?? "", 6)}.example.net`,
    RemoteIP: event.remoteIp,
    RemotePort: event.remotePort,
    LocalIP: "192.168.0.100",
    LocalPort: 49152 + (reportId % 16000),
    Protocol: "TcpV4",
    LocalIPType: "Private",
    RemoteIPType: event.remoteIpType,
    AdditionalFields: "{}",
  };
}
