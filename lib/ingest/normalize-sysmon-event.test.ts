import { describe, expect, it } from "vitest";
import { eventKey } from "../telemetry/event-identity";
import { isSysmonRecord, normalizeSysmonRecord } from "./normalize-sysmon-event";

const SYSMON_CHANNEL = { SourceName: "Microsoft-Windows-Sysmon", Channel: "Microsoft-Windows-Sysmon/Operational" };
const PAYLOAD_SHA256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
const BCRYPT_SHA256 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

/** OTRF flat JSON as the Security-Datasets ship it: strings everywhere but EventID. */
const PROCESS_CREATED = {
  ...SYSMON_CHANNEL,
  Hostname: "WS-01.corp.example",
  TimeCreated: "2024-03-01T10:00:05.123Z",
  "@timestamp": "2024-03-01T10:00:05.123Z",
  EventID: 1,
  UtcTime: "2024-03-01 10:00:04.987",
  ProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
  ProcessId: "4242",
  Image: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
  CommandLine: ' "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe" -k 0x41 ',
  User: "CORP\\bob",
  Hashes: `SHA1=A94A8FE5CCB19BA61C4C0873D391E987982FBBD3,MD5=098F6BCD4621D373CADE4E832627B4F6,SHA256=${PAYLOAD_SHA256},IMPHASH=00000000000000000000000000000000`,
  ParentProcessGuid: "{5a1e0000-0000-0000-0000-000000000900}",
  ParentProcessId: "1000",
  ParentImage: "C:\\Windows\\explorer.exe",
  ParentCommandLine: "C:\\Windows\\Explorer.EXE",
  ParentUser: "CORP\\bob",
  RuleName: "-",
};

const IMAGE_LOADED = {
  ...SYSMON_CHANNEL,
  Computer: "WS-01.corp.example",
  TimeCreated: "2024-03-01T10:00:06.000Z",
  EventID: "7",
  UtcTime: "2024-03-01 10:00:05.500",
  ProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
  ProcessId: "4242",
  Image: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
  ImageLoaded: "C:\\Windows\\System32\\bcrypt.dll",
  Hashes: `SHA256=${BCRYPT_SHA256}`,
  User: "CORP\\bob",
};

const NETWORK_CONNECTION = {
  ...SYSMON_CHANNEL,
  Hostname: "WS-01.corp.example",
  TimeCreated: "2024-03-01T10:00:08.000Z",
  EventID: 3,
  UtcTime: "2024-03-01 10:00:07.250",
  ProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
  ProcessId: "4242",
  Image: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
  User: "CORP\\bob",
  Protocol: "tcp",
  Initiated: "true",
  SourceIp: "10.0.0.5",
  SourceHostname: "-",
  SourcePort: "50123",
  DestinationIp: "198.51.100.7",
  DestinationHostname: "c2.example.net",
  DestinationPort: "8443",
};

function eventOf(record: Record<string, unknown>) {
  const normalized = normalizeSysmonRecord(record);
  if (normalized.outcome !== "event") throw new Error(`expected an event, got ${JSON.stringify(normalized)}`);
  return normalized.event;
}

function rejectionOf(record: Record<string, unknown>): string {
  const normalized = normalizeSysmonRecord(record);
  if (normalized.outcome !== "rejected") throw new Error(`expected a rejection, got ${JSON.stringify(normalized)}`);
  return normalized.message;
}

describe("normalizeSysmonRecord: OTRF flat JSON", () => {
  it("maps a process creation (event 1) to a ProcessCreated event with the parent as initiator", () => {
    expect(normalizeSysmonRecord(PROCESS_CREATED)).toEqual({
      outcome: "event",
      event: {
        kind: "process",
        timestamp: "2024-03-01T10:00:04.9870000Z",
        timeUs: Date.UTC(2024, 2, 1, 10, 0, 4, 987) * 1000,
        deviceId: null,
        deviceName: "WS-01.corp.example",
        actionType: "ProcessCreated",
        fileName: "payload.exe",
        folderPath: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
        processId: 4242,
        processCommandLine: ' "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe" -k 0x41 ',
        processCreationTime: "2024-03-01T10:00:04.9870000Z",
        accountName: "CORP\\bob",
        sha256: PAYLOAD_SHA256,
        remoteIp: null,
        remotePort: null,
        remoteIpType: null,
        remoteUrl: null,
        localIp: null,
        localPort: null,
        protocol: null,
        sentBytes: null,
        receivedBytes: null,
        initiatingProcessFileName: "explorer.exe",
        initiatingProcessFolderPath: "C:\\Windows\\explorer.exe",
        initiatingProcessId: 1000,
        initiatingProcessCommandLine: "C:\\Windows\\Explorer.EXE",
        initiatingProcessCreationTime: null,
        initiatingProcessAccountName: "CORP\\bob",
        initiatingProcessSHA256: null,
        initiatingProcessParentFileName: null,
        initiatingProcessParentId: null,
        reportId: null,
        processGuid: "{5a1e0001-0000-0000-0000-000000000900}",
        initiatingProcessGuid: "{5a1e0000-0000-0000-0000-000000000900}",
        loggedAt: "2024-03-01T10:00:05.1230000Z",
        clockCorrectedFrom: null,
        source: "sysmon",
      },
    });
  });

  it("maps an image load (event 7): the DLL is the file, the loading process the initiator", () => {
    expect(normalizeSysmonRecord(IMAGE_LOADED)).toEqual({
      outcome: "event",
      event: {
        kind: "image_load",
        timestamp: "2024-03-01T10:00:05.5000000Z",
        timeUs: Date.UTC(2024, 2, 1, 10, 0, 5, 500) * 1000,
        deviceId: null,
        deviceName: "WS-01.corp.example",
        actionType: "ImageLoaded",
        fileName: "bcrypt.dll",
        folderPath: "C:\\Windows\\System32\\bcrypt.dll",
        processId: null,
        processCommandLine: null,
        processCreationTime: null,
        accountName: null,
        // Event 7's Hashes describe the loaded image, as Defender's SHA256 column does.
        sha256: BCRYPT_SHA256,
        remoteIp: null,
        remotePort: null,
        remoteIpType: null,
        remoteUrl: null,
        localIp: null,
        localPort: null,
        protocol: null,
        sentBytes: null,
        receivedBytes: null,
        initiatingProcessFileName: "payload.exe",
        initiatingProcessFolderPath: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
        initiatingProcessId: 4242,
        initiatingProcessCommandLine: null,
        initiatingProcessCreationTime: null,
        initiatingProcessAccountName: "CORP\\bob",
        initiatingProcessSHA256: null,
        initiatingProcessParentFileName: null,
        initiatingProcessParentId: null,
        reportId: null,
        processGuid: null,
        initiatingProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
        loggedAt: "2024-03-01T10:00:06.0000000Z",
        clockCorrectedFrom: null,
        source: "sysmon",
      },
    });
  });

  it("maps an outbound network connection (event 3) to ConnectionSuccess", () => {
    expect(normalizeSysmonRecord(NETWORK_CONNECTION)).toEqual({
      outcome: "event",
      event: {
        kind: "network",
        timestamp: "2024-03-01T10:00:07.2500000Z",
        timeUs: Date.UTC(2024, 2, 1, 10, 0, 7, 250) * 1000,
        deviceId: null,
        deviceName: "WS-01.corp.example",
        actionType: "ConnectionSuccess",
        fileName: null,
        folderPath: null,
        processId: null,
        processCommandLine: null,
        processCreationTime: null,
        accountName: null,
        sha256: null,
        remoteIp: "198.51.100.7",
        remotePort: 8443,
        remoteIpType: null,
        remoteUrl: "c2.example.net",
        localIp: "10.0.0.5",
        localPort: 50123,
        protocol: "tcp",
        sentBytes: null,
        receivedBytes: null,
        initiatingProcessFileName: "payload.exe",
        initiatingProcessFolderPath: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
        initiatingProcessId: 4242,
        initiatingProcessCommandLine: null,
        initiatingProcessCreationTime: null,
        initiatingProcessAccountName: "CORP\\bob",
        initiatingProcessSHA256: null,
        initiatingProcessParentFileName: null,
        initiatingProcessParentId: null,
        reportId: null,
        processGuid: null,
        initiatingProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
        loggedAt: "2024-03-01T10:00:08.0000000Z",
        clockCorrectedFrom: null,
        source: "sysmon",
      },
    });
  });

  it.each([
    [true, "ConnectionSuccess"],
    ["true", "ConnectionSuccess"],
    ["True", "ConnectionSuccess"],
    [false, "InboundConnectionAccepted"],
    ["false", "InboundConnectionAccepted"],
    ["False", "InboundConnectionAccepted"],
    [undefined, "InboundConnectionAccepted"],
  ])("reads Initiated %j as %s", (initiated, actionType) => {
    expect(eventOf({ ...NETWORK_CONNECTION, Initiated: initiated }).actionType).toBe(actionType);
  });

  it("reads Sysmon's '-' placeholder as no hostname or user", () => {
    expect(eventOf({ ...NETWORK_CONNECTION, DestinationHostname: "-", User: "-" })).toMatchObject({
      remoteUrl: null,
      initiatingProcessAccountName: null,
    });
  });

  it.each([
    ["SHA1=A94A8FE5CCB19BA61C4C0873D391E987982FBBD3,MD5=098F6BCD4621D373CADE4E832627B4F6,SHA256=ABCDEF,IMPHASH=12", "ABCDEF"],
    ["SHA256=abcdef", "abcdef"],
    ["MD5=098F6BCD4621D373CADE4E832627B4F6,SHA256=ABCDEF", "ABCDEF"],
    ["MD5=098F6BCD4621D373CADE4E832627B4F6", null],
    ["SHA256=", null],
    ["-", null],
    [undefined, null],
  ])("takes the SHA256 of Hashes %j", (hashes, sha256) => {
    expect(eventOf({ ...PROCESS_CREATED, Hashes: hashes }).sha256).toBe(sha256);
  });

  it("names the device from Hostname before Computer", () => {
    expect(eventOf({ ...IMAGE_LOADED, Hostname: "ws-01", Computer: "WS-01.corp.example" }).deviceName).toBe("ws-01");
    expect(eventOf({ ...IMAGE_LOADED, Computer: "WS-01.corp.example" }).deviceName).toBe("WS-01.corp.example");
  });

  it("keeps UtcTime as the event time and the log's TimeCreated beside it when they disagree by hours", () => {
    // From a lab capture: the host's clock ran 19 hours ahead of the collector's.
    const event = eventOf({ ...PROCESS_CREATED, UtcTime: "2022-08-08 20:39:09.375", TimeCreated: "2022-08-08T01:39:09.381Z", "@timestamp": "2022-08-08T01:39:09.381Z" });
    expect([event.timestamp, event.processCreationTime, event.loggedAt]).toEqual([
      "2022-08-08T20:39:09.3750000Z",
      "2022-08-08T20:39:09.3750000Z",
      "2022-08-08T01:39:09.3810000Z",
    ]);
  });

  it("prefers TimeCreated over @timestamp for loggedAt", () => {
    expect(eventOf({ ...NETWORK_CONNECTION, TimeCreated: "2024-03-01T12:00:00Z", "@timestamp": "2024-03-01T13:00:00Z" }).loggedAt).toBe("2024-03-01T12:00:00.0000000Z");
  });

  it("falls back to the log's time when UtcTime is missing", () => {
    const { UtcTime: _utcTime, TimeCreated: _timeCreated, ...withoutTimes } = NETWORK_CONNECTION;
    const event = eventOf({ ...withoutTimes, "@timestamp": "2024-03-01T10:00:09.5Z" });
    expect([event.timestamp, event.timeUs, event.loggedAt]).toEqual([
      "2024-03-01T10:00:09.5000000Z",
      Date.UTC(2024, 2, 1, 10, 0, 9, 500) * 1000,
      "2024-03-01T10:00:09.5000000Z",
    ]);
  });

  it("keeps nxlog's zoneless local EventTime as given and never takes it for the event time", () => {
    const { UtcTime: _utcTime, TimeCreated: _timeCreated, ...withoutTimes } = NETWORK_CONNECTION;
    expect(eventOf({ ...NETWORK_CONNECTION, TimeCreated: undefined, EventTime: "2020-08-07 14:32:08" }).loggedAt).toBe("2020-08-07 14:32:08");
    expect(rejectionOf({ ...withoutTimes, EventTime: "2020-08-07 14:32:08" })).toBe("UtcTime: is required (no TimeCreated or @timestamp to fall back on)");
  });

  it("passes a 200 KB hostile command line and image path through untouched", () => {
    const commandLine = `powershell -enc ${"A=,\\/\"'&<>%;^ ".repeat(16_000)}\u0000\u202e${"\\".repeat(20_000)}`;
    const image = `C:\\${"a\\".repeat(100_000)}x.exe`;
    const event = eventOf({ ...PROCESS_CREATED, CommandLine: commandLine, ParentCommandLine: commandLine, Image: image });
    expect(event.processCommandLine).toBe(commandLine);
    expect(event.initiatingProcessCommandLine).toBe(commandLine);
    expect(event.folderPath).toBe(image);
    expect(event.fileName).toBe("x.exe");
  });
});

describe("normalizeSysmonRecord: ECS (Winlogbeat, Elastic Agent)", () => {
  const WINLOGBEAT_NETWORK = {
    "@timestamp": "2024-03-01T10:00:08.000Z",
    event: { code: "3", module: "sysmon", provider: "Microsoft-Windows-Sysmon" },
    // Forwarded events: the beat runs on the collector, the event came from the workstation.
    host: { name: "wec-01" },
    winlog: {
      channel: "Microsoft-Windows-Sysmon/Operational",
      computer_name: "WS-01.corp.example",
      event_id: 3,
      provider_name: "Microsoft-Windows-Sysmon",
      event_data: {
        UtcTime: "2024-03-01 10:00:07.250",
        ProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
        ProcessId: "4242",
        Image: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
        User: "CORP\\bob",
        Protocol: "tcp",
        Initiated: "true",
        SourceIp: "10.0.0.5",
        SourcePort: "50123",
        DestinationIp: "198.51.100.7",
        DestinationHostname: "-",
        DestinationPort: "8443",
      },
    },
    process: { executable: "C:\\ecs-copy\\other.exe", pid: 1 },
    destination: { ip: "203.0.113.1", port: 443 },
    network: { direction: "inbound", transport: "udp" },
  };

  it("reads nested winlog.event_data first, the event's computer rather than the shipping host", () => {
    expect(eventOf(WINLOGBEAT_NETWORK)).toMatchObject({
      kind: "network",
      timestamp: "2024-03-01T10:00:07.2500000Z",
      deviceName: "WS-01.corp.example",
      actionType: "ConnectionSuccess",
      remoteIp: "198.51.100.7",
      remotePort: 8443,
      remoteUrl: null,
      localIp: "10.0.0.5",
      localPort: 50123,
      protocol: "tcp",
      initiatingProcessFileName: "payload.exe",
      initiatingProcessFolderPath: "C:\\Users\\bob\\AppData\\Local\\Temp\\payload.exe",
      initiatingProcessId: 4242,
      initiatingProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
      initiatingProcessAccountName: "CORP\\bob",
      loggedAt: "2024-03-01T10:00:08.0000000Z",
      source: "sysmon",
    });
  });

  it("falls back to ECS copies, and to network.direction for Initiated", () => {
    const ecsOnly = {
      "@timestamp": "2024-03-01T10:00:08.000Z",
      "event.module": "sysmon",
      "winlog.event_id": "3",
      "winlog.event_data.UtcTime": "2024-03-01 10:00:07.250",
      "host.name": "ws-02",
      "process.executable": "C:\\Tools\\beacon.exe",
      "process.pid": 77,
      "process.entity_id": "{5a1e0002-0000-0000-0000-000000000900}",
      "user.name": "bob",
      "source.ip": "10.0.0.6",
      "source.port": 50124,
      "destination.ip": "203.0.113.9",
      "destination.port": 443,
      "destination.domain": "cdn.example.org",
      "network.transport": "tcp",
      "network.direction": "outbound",
    };
    expect(eventOf(ecsOnly)).toMatchObject({
      deviceName: "ws-02",
      actionType: "ConnectionSuccess",
      remoteIp: "203.0.113.9",
      remotePort: 443,
      remoteUrl: "cdn.example.org",
      localIp: "10.0.0.6",
      localPort: 50124,
      protocol: "tcp",
      initiatingProcessFileName: "beacon.exe",
      initiatingProcessId: 77,
      initiatingProcessGuid: "{5a1e0002-0000-0000-0000-000000000900}",
      initiatingProcessAccountName: "bob",
    });
    expect(eventOf({ ...ecsOnly, "network.direction": "inbound" }).actionType).toBe("InboundConnectionAccepted");
    expect(eventOf({ ...ecsOnly, "network.direction": "internal" }).actionType).toBe("InboundConnectionAccepted");
  });

  it("reads dotted keys, and dotted keys inside nested objects, for a process creation", () => {
    const elasticAgent = {
      "@timestamp": "2024-03-01T10:00:05.123Z",
      "event.code": "1",
      "event.module": "windows",
      "event.dataset": "windows.sysmon_operational",
      "winlog.channel": "Microsoft-Windows-Sysmon/Operational",
      "winlog.computer_name": "WS-01.corp.example",
      winlog: { "event_data.UtcTime": "2024-03-01 10:00:04.987", "event_data.ProcessId": "4242" },
      "winlog.event_data.Image": "C:\\Users\\bob\\payload.exe",
      "process.executable": "C:\\ecs-copy\\payload.exe",
      "process.entity_id": "{5a1e0001-0000-0000-0000-000000000900}",
      "process.command_line": "payload.exe --beacon 5",
      "process.parent.executable": "C:\\Windows\\System32\\cmd.exe",
      "process.parent.pid": "900",
      "process.parent.entity_id": "{5a1e0000-0000-0000-0000-000000000900}",
      "process.parent.command_line": "cmd.exe /c payload.exe",
      "user.name": "bob",
    };
    expect(eventOf(elasticAgent)).toMatchObject({
      kind: "process",
      timestamp: "2024-03-01T10:00:04.9870000Z",
      deviceName: "WS-01.corp.example",
      actionType: "ProcessCreated",
      fileName: "payload.exe",
      folderPath: "C:\\Users\\bob\\payload.exe",
      processId: 4242,
      processGuid: "{5a1e0001-0000-0000-0000-000000000900}",
      processCommandLine: "payload.exe --beacon 5",
      processCreationTime: "2024-03-01T10:00:04.9870000Z",
      accountName: "bob",
      initiatingProcessFileName: "cmd.exe",
      initiatingProcessFolderPath: "C:\\Windows\\System32\\cmd.exe",
      initiatingProcessId: 900,
      initiatingProcessGuid: "{5a1e0000-0000-0000-0000-000000000900}",
      initiatingProcessCommandLine: "cmd.exe /c payload.exe",
      loggedAt: "2024-03-01T10:00:05.1230000Z",
    });
  });

  it("reads an image load's DLL from dll.path or file.path", () => {
    const imageLoad = {
      "@timestamp": "2024-03-01T10:00:06.000Z",
      event: { module: "sysmon" },
      winlog: { event_id: 7, computer_name: "ws-01", event_data: { UtcTime: "2024-03-01 10:00:05.500", ProcessId: "4242" } },
      process: { executable: "C:\\Temp\\payload.exe" },
    };
    expect(eventOf({ ...imageLoad, dll: { path: "C:\\Windows\\System32\\rsaenh.dll" } })).toMatchObject({ fileName: "rsaenh.dll", folderPath: "C:\\Windows\\System32\\rsaenh.dll", initiatingProcessFileName: "payload.exe" });
    expect(eventOf({ ...imageLoad, file: { path: "C:\\Windows\\System32\\bcrypt.dll" } })).toMatchObject({ fileName: "bcrypt.dll" });
  });

  it("reads only a record's own fields, never inherited ones", () => {
    const { Image: _image, ...withoutImage } = PROCESS_CREATED;
    const record = Object.assign(Object.create({ Image: "C:\\inherited.exe" }) as Record<string, unknown>, withoutImage);
    expect(rejectionOf(record)).toBe("Image: required for Sysmon event 1 (process creation)");
  });
});

describe("normalizeSysmonRecord: records it does not map", () => {
  it.each([
    ["a Security 4688 process creation", { Channel: "Security", SourceName: "Microsoft-Windows-Security-Auditing", EventID: 4688, Hostname: "ws-01", NewProcessName: "C:\\Windows\\System32\\cmd.exe", NewProcessId: "0x1a4" }],
    ["a PowerShell 4104 script block", { Channel: "Microsoft-Windows-PowerShell/Operational", SourceName: "Microsoft-Windows-PowerShell", EventID: 4104, Hostname: "ws-01", ScriptBlockText: "IEX $x" }],
    ["an ECS Security record", { "@timestamp": "2024-03-01T10:00:00Z", winlog: { channel: "Security", event_id: 4688 }, event: { module: "security" } }],
    ["a Defender row", { Timestamp: "2024-03-01T10:00:00Z", DeviceName: "ws-01", ActionType: "ConnectionSuccess" }],
  ])("ignores %s", (_description, record) => {
    expect(isSysmonRecord(record)).toBe(false);
    expect(normalizeSysmonRecord(record)).toEqual({ outcome: "ignored" });
  });

  it.each([
    ["file created (11)", { ...SYSMON_CHANNEL, EventID: 11, Hostname: "ws-01", UtcTime: "2024-03-01 10:00:00.000", TargetFilename: "C:\\Temp\\x.txt" }],
    ["DNS query (22) as a string id", { ...SYSMON_CHANNEL, EventID: "22", Hostname: "ws-01", UtcTime: "2024-03-01 10:00:00.000", QueryName: "c2.example.net" }],
    ["an ECS process access (10)", { event: { module: "sysmon" }, winlog: { event_id: "10", computer_name: "ws-01" } }],
  ])("recognises but ignores Sysmon %s", (_description, record) => {
    expect(isSysmonRecord(record)).toBe(true);
    expect(normalizeSysmonRecord(record)).toEqual({ outcome: "ignored" });
  });

  it("recognises Sysmon by EventID and UtcTime when no channel or provider is named", () => {
    const { SourceName: _sourceName, Channel: _channel, ...unlabelled } = NETWORK_CONNECTION;
    expect(isSysmonRecord(unlabelled)).toBe(true);
    expect(eventOf(unlabelled).actionType).toBe("ConnectionSuccess");
    const { UtcTime: _utcTime, ...noUtcTime } = unlabelled;
    expect(isSysmonRecord(noUtcTime)).toBe(false);
  });
});

describe("normalizeSysmonRecord: rejected records", () => {
  it.each([
    ["a port out of range", { ...NETWORK_CONNECTION, DestinationPort: "70000" }, 'DestinationPort: must be at most 65535 (got "70000")'],
    ["a numeric port out of range", { ...NETWORK_CONNECTION, SourcePort: 70000 }, 'SourcePort: must be at most 65535 (got "70000")'],
    ["a negative port", { ...NETWORK_CONNECTION, DestinationPort: "-1" }, 'DestinationPort: must not be negative (got "-1")'],
    ["a fractional ProcessId", { ...IMAGE_LOADED, ProcessId: "12.5" }, 'ProcessId: expected a whole number (got "12.5")'],
    ["a hexadecimal ProcessId", { ...IMAGE_LOADED, ProcessId: "0x10" }, 'ProcessId: expected a number (got "0x10")'],
    ["a word for ParentProcessId", { ...PROCESS_CREATED, ParentProcessId: "init" }, 'ParentProcessId: expected a number (got "init")'],
    ["a connection without DestinationIp", { ...NETWORK_CONNECTION, DestinationIp: "" }, "DestinationIp: required for Sysmon event 3 (network connection)"],
    ["an image load without ImageLoaded or ProcessId", { ...IMAGE_LOADED, ImageLoaded: undefined, ProcessId: undefined }, "ImageLoaded, ProcessId: required for Sysmon event 7 (image loaded)"],
    ["an unreadable UtcTime", { ...IMAGE_LOADED, UtcTime: "yesterday" }, 'UtcTime: expected a timestamp like 2023-08-16 00:34:54.945 (got "yesterday")'],
    ["no time at all", { ...IMAGE_LOADED, UtcTime: undefined, TimeCreated: "soon" }, "UtcTime: is required (no TimeCreated or @timestamp to fall back on)"],
    ["no device", { ...IMAGE_LOADED, Computer: undefined }, "Computer: is required"],
    ["a blank device", { ...IMAGE_LOADED, Computer: " " }, 'Computer: is required (got " ")'],
    ["an Initiated that is no boolean", { ...NETWORK_CONNECTION, Initiated: "yes" }, 'Initiated: expected true or false (got "yes")'],
    ["a non-numeric EventID", { ...NETWORK_CONNECTION, EventID: "three" }, 'EventID: expected a whole number (got "three")'],
    ["a Sysmon channel without EventID", { ...NETWORK_CONNECTION, EventID: undefined }, "EventID: is required"],
    ["several bad fields at once", { ...NETWORK_CONNECTION, ProcessId: "x", DestinationPort: "99999" }, 'ProcessId: expected a number (got "x"); DestinationPort: must be at most 65535 (got "99999")'],
    [
      "a bad ECS port, named as found",
      { event: { module: "sysmon" }, winlog: { event_id: 3, computer_name: "ws-01", event_data: { UtcTime: "2024-03-01 10:00:00.000", ProcessId: "1", DestinationIp: "203.0.113.9" } }, destination: { port: 70000 } },
      'destination.port: must be at most 65535 (got "70000")',
    ],
  ])("rejects %s", (_description, record, message) => {
    expect(normalizeSysmonRecord(record)).toEqual({ outcome: "rejected", message });
  });
});

describe("normalizeSysmonRecord: the log's record id", () => {
  it("reads it from every form, so the same event is one event from .evtx, event XML, nxlog JSON or Winlogbeat", () => {
    const forms = [
      { ...NETWORK_CONNECTION, EventRecordID: "1201" },
      { ...NETWORK_CONNECTION, RecordNumber: 1201 },
      { ...NETWORK_CONNECTION, winlog: { record_id: " 01201" } },
    ].map((record) => normalizeSysmonRecord(record));
    const events = forms.map((form) => (form.outcome === "event" ? form.event : null));
    expect(events.map((event) => event?.reportId)).toEqual(["1201", "1201", "1201"]);
    expect(new Set(events.map((event) => eventKey(event!))).size).toBe(1);
    const unreadable = normalizeSysmonRecord({ ...NETWORK_CONNECTION, RecordNumber: "n/a" });
    expect(unreadable.outcome === "event" ? unreadable.event.reportId : "rejected").toBeNull();
  });

  it("tells apart two events alike to the millisecond by it", () => {
    const [first, second] = [{ ...NETWORK_CONNECTION, RecordNumber: 1201 }, { ...NETWORK_CONNECTION, RecordNumber: 1202 }].map((record) => normalizeSysmonRecord(record));
    if (first.outcome !== "event" || second.outcome !== "event") throw new Error("both should normalise");
    expect(eventKey(first.event)).not.toBe(eventKey(second.event));
  });
});
