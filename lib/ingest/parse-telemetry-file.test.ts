import { describe, expect, it } from "vitest";
import { parseTelemetryFile } from "./parse-telemetry-file";
import { TelemetryFileError } from "./telemetry-file-error";

const NETWORK_CSV = [
  // Columns in an unusual order, plus one the product does not know.
  "RemotePort,InitiatingProcessId,Timestamp,Unknown,DeviceName,ActionType,RemoteIP,RemoteIPType,InitiatingProcessFileName,InitiatingProcessCommandLine",
  '4444,100,2024-01-01T10:01:00.1234567Z,zz,ws-01,ConnectionSuccess,198.51.100.7,Public,evil.exe,"evil.exe -c ""a,b"""',
  "443,200,2024-01-01T10:02:00Z,zz,ws-02,ConnectionSuccess,203.0.113.9,Public,chrome.exe,chrome.exe",
].join("\r\n");

function expectFileError(text: string, status: number, message: RegExp) {
  try {
    parseTelemetryFile(text);
  } catch (error) {
    expect(error).toBeInstanceOf(TelemetryFileError);
    expect((error as TelemetryFileError).status).toBe(status);
    expect((error as TelemetryFileError).message).toMatch(message);
    return;
  }
  throw new Error("expected a TelemetryFileError");
}

describe("parseTelemetryFile", () => {
  it("reads a portal CSV with shuffled and unknown columns", () => {
    const parsed = parseTelemetryFile(NETWORK_CSV);
    expect(parsed.format).toBe("csv");
    expect(parsed.tables).toEqual(["DeviceNetworkEvents"]);
    expect([parsed.rejected, parsed.ignored, parsed.errors]).toEqual([0, 0, []]);
    expect(parsed.events).toHaveLength(2);
    expect(parsed.events[0]).toMatchObject({
      kind: "network",
      timestamp: "2024-01-01T10:01:00.1234567Z",
      deviceName: "ws-01",
      remoteIp: "198.51.100.7",
      remotePort: 4444,
      remoteIpType: "Public",
      initiatingProcessId: 100,
      initiatingProcessCommandLine: 'evil.exe -c "a,b"',
      sentBytes: null,
      receivedBytes: null,
    });
  });

  it("reads the API's {Schema, Results} JSON", () => {
    const text = JSON.stringify({
      Schema: [{ Name: "Timestamp", Type: "DateTime" }, { Name: "DeviceName" }, { Name: "ActionType" }, { Name: "FileName" }, { Name: "InitiatingProcessId" }],
      Results: [
        { Timestamp: "2024-01-01T10:00:00Z", DeviceName: "ws-01", ActionType: "ImageLoaded", FileName: "bcrypt.dll", InitiatingProcessId: 100 },
      ],
    });
    const parsed = parseTelemetryFile(text);
    expect(parsed.format).toBe("mde-api-json");
    expect(parsed.tables).toEqual(["DeviceImageLoadEvents"]);
    expect(parsed.events.map((e) => [e.kind, e.fileName, e.initiatingProcessId])).toEqual([["image_load", "bcrypt.dll", 100]]);
  });

  it("reads NDJSON and a plain JSON array, with bytes when present", () => {
    const row = { Timestamp: "2024-01-01T10:00:00Z", DeviceName: "ws-01", ActionType: "ConnectionSuccess", InitiatingProcessId: 7, SentBytes: 10, ReceivedBytes: "20" };
    const ndjson = parseTelemetryFile(`${JSON.stringify(row)}\n\n${JSON.stringify({ ...row, SentBytes: 11 })}\n`);
    expect(ndjson.format).toBe("ndjson");
    expect(ndjson.events.map((e) => [e.sentBytes, e.receivedBytes])).toEqual([
      [10, 20],
      [11, 20],
    ]);
    const array = parseTelemetryFile(JSON.stringify([row]));
    expect(array.format).toBe("json-array");
    expect(array.events).toHaveLength(1);
  });

  it("stores the good rows of a file with bad ones and reports each bad one by line", () => {
    const text = [
      "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId",
      "2024-01-01T10:00:00Z,ws-01,ImageLoaded,bcrypt.dll,100",
      "not-a-time,ws-01,ImageLoaded,bcrypt.dll,100",
      "2024-01-01T10:00:00Z,ws-01,ImageLoaded,bcrypt.dll,abc",
      "2024-01-01T10:00:00Z,ws-01,ImageLoaded",
      "2024-01-01T10:00:00Z,,ImageLoaded,bcrypt.dll,1",
      "2024-01-01T10:00:00Z,ws-01,ImageLoaded,,1",
      "2024-01-01T10:00:00Z,ws-01,RegistryValueSet,,1",
    ].join("\n");
    const parsed = parseTelemetryFile(text);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.rejected).toBe(5);
    expect(parsed.ignored).toBe(1);
    expect(parsed.errors).toEqual([
      { line: 3, message: 'Timestamp: expected an ISO 8601 timestamp (got "not-a-time")' },
      { line: 4, message: 'InitiatingProcessId: expected a number (got "abc")' },
      { line: 5, message: "expected 5 fields, found 3" },
      { line: 6, message: "DeviceName: is required" },
      { line: 7, message: "FileName: required for ImageLoaded rows" },
    ]);
  });

  it("reports NDJSON lines that are not JSON by physical line", () => {
    const good = JSON.stringify({ Timestamp: "2024-01-01T10:00:00Z", DeviceName: "d", ActionType: "ProcessCreated", FileName: "a.exe", ProcessId: 1 });
    const parsed = parseTelemetryFile(`${good}\n{oops\n${good}`);
    expect(parsed.events).toHaveLength(2);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0].line).toBe(2);
    expect(parsed.errors[0].message).toMatch(/^invalid JSON/);
  });

  it("refuses files that are not telemetry, naming what is missing", () => {
    expectFileError("name,age\nbob,3\n", 422, /not a Defender Advanced Hunting export or a Sysmon log: it has no Timestamp, DeviceName, ActionType columns/);
    expectFileError("", 400, /empty/);
    expectFileError("\u0000\u0001PK\u0003binary", 415, /binary/);
    expectFileError('{"hello": ', 422, /no row has Defender columns/);
  });

  it("refuses a telemetry-shaped file whose every row is bad", () => {
    expectFileError("Timestamp,DeviceName,ActionType\nbad,ws,ImageLoaded\n", 422, /all 1 telemetry rows were rejected/);
  });
});

describe("parseTelemetryFile: Defender streaming API and other quirks", () => {
  it("unwraps the streaming API's envelopes, tables mixed in one file", () => {
    const envelope = (category: string, properties: object) =>
      JSON.stringify({ time: "2024-01-01T10:00:05Z", tenantId: "t", operationName: "Publish", category: `AdvancedHunting-${category}`, properties });
    const text = [
      envelope("DeviceNetworkEvents", { Timestamp: "2024-01-01T10:00:00.12Z", DeviceName: "ws-01", ActionType: "ConnectionSuccess", InitiatingProcessId: 5, RemoteIP: "::ffff:172.64.149.247", RemotePort: 443, Protocol: "TcpV4", RemoteIPType: "" }),
      envelope("DeviceImageLoadEvents", { Timestamp: "2024-01-01T10:00:00Z", DeviceName: "ws-01", ActionType: "ImageLoaded", FileName: "bcrypt.dll", InitiatingProcessId: 5 }),
    ].join("\r\n");
    const parsed = parseTelemetryFile(text);
    expect(parsed.format).toBe("ndjson");
    expect(parsed.tables).toEqual(["DeviceImageLoadEvents", "DeviceNetworkEvents"]);
    expect(parsed.events.map((e) => [e.kind, e.timestamp, e.remoteIp, e.remoteIpType, e.protocol])).toEqual([
      ["network", "2024-01-01T10:00:00.1200000Z", "::ffff:172.64.149.247", null, "TcpV4"],
      ["image_load", "2024-01-01T10:00:00.0000000Z", null, null, null],
    ]);
  });

  it("reads the Graph API's lower-case schema/results", () => {
    const parsed = parseTelemetryFile(
      JSON.stringify({ schema: [{ name: "Timestamp" }, { name: "DeviceName" }, { name: "ActionType" }], results: [{ Timestamp: "2024-01-01T10:00:00Z", DeviceName: "d", ActionType: "ProcessCreated", FileName: "a.exe", ProcessId: 3 }] }),
    );
    expect([parsed.format, parsed.events.length]).toEqual(["mde-api-json", 1]);
  });

  it("keeps quoted commas, quotes, newlines and Unicode in command lines", () => {
    const text = 'Timestamp,DeviceName,ActionType,FileName,ProcessId,ProcessCommandLine\r\n2024-01-01T10:00:00Z,wś-01,ProcessCreated,cmd.exe,4,"cmd /c ""echo a,b""\r\nnext line ✓"\r\n';
    const [event] = parseTelemetryFile(text).events;
    expect([event.deviceName, event.processCommandLine]).toEqual(["wś-01", 'cmd /c "echo a,b"\r\nnext line ✓']);
  });
});

describe("parseTelemetryFile: Sysmon", () => {
  const sysmonNetwork = {
    EventID: 3,
    Channel: "Microsoft-Windows-Sysmon/Operational",
    Hostname: "ws-9",
    UtcTime: "2023-08-16 00:34:54.945",
    "@timestamp": "2023-08-16T04:34:55.100Z",
    Image: "C:\\Windows\\System32\\notepad.exe",
    ProcessId: "2576",
    ProcessGuid: "{297bc33e-9db9-5f2d-1a08-000000000400}",
    Initiated: "True",
    DestinationIp: "10.10.10.5",
    DestinationPort: "80",
  };

  it("reads flat Sysmon JSON lines among other channels, classifying the remote address itself", () => {
    const security = { EventID: 4688, Channel: "Security", Hostname: "ws-9", NewProcessName: "C:\\x.exe" };
    const parsed = parseTelemetryFile([security, sysmonNetwork, { ...sysmonNetwork, Initiated: "false", SourcePort: "1" }].map((r) => JSON.stringify(r)).join("\n"));
    expect(parsed.tables).toEqual(["Sysmon 3 (network connection)"]);
    expect([parsed.ignored, parsed.rejected]).toEqual([1, 0]);
    expect(parsed.events.map((e) => [e.source, e.actionType, e.timestamp, e.loggedAt, e.remoteIpType, e.initiatingProcessGuid])).toEqual([
      ["sysmon", "ConnectionSuccess", "2023-08-16T00:34:54.9450000Z", "2023-08-16T04:34:55.1000000Z", "Private", "{297bc33e-9db9-5f2d-1a08-000000000400}"],
      ["sysmon", "InboundConnectionAccepted", "2023-08-16T00:34:54.9450000Z", "2023-08-16T04:34:55.1000000Z", "Private", "{297bc33e-9db9-5f2d-1a08-000000000400}"],
    ]);
  });

  it("reads wevtutil event XML", () => {
    const xml = [
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>7</EventID>",
      "<TimeCreated SystemTime='2023-08-16T00:34:55.0000000Z'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws-9</Computer></System>",
      "<EventData><Data Name='UtcTime'>2023-08-16 00:34:54.900</Data><Data Name='ProcessGuid'>{g}</Data><Data Name='ProcessId'>2576</Data>",
      "<Data Name='Image'>C:\\Windows\\System32\\notepad.exe</Data><Data Name='ImageLoaded'>C:\\Windows\\System32\\bcrypt.dll</Data></EventData></Event>",
    ].join("\n");
    const parsed = parseTelemetryFile(xml);
    expect(parsed.format).toBe("event-xml");
    expect(parsed.events.map((e) => [e.kind, e.fileName, e.initiatingProcessFileName, e.initiatingProcessId, e.deviceName])).toEqual([["image_load", "bcrypt.dll", "notepad.exe", 2576, "ws-9"]]);
  });

  it("refuses XML that is not Windows event XML", () => {
    expectFileError("<html><body>hi</body></html>", 422, /not Windows event XML/);
  });
});
