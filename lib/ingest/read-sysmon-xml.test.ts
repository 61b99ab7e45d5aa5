import { describe, expect, it } from "vitest";
import { normalizeSysmonRecord } from "./normalize-sysmon-event";
import { looksLikeEventXml, readSysmonXmlEvents } from "./read-sysmon-xml";

const NAMESPACE = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";

/** The System block wevtutil prints, on one line, for a Sysmon event. */
function system(eventId: number | string, systemTime: string): string {
  return (
    `<System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>${eventId}</EventID>` +
    `<Version>5</Version><Level>4</Level><Task>${eventId}</Task><TimeCreated SystemTime='${systemTime}'/>` +
    `<EventRecordID>1201</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel>` +
    `<Computer>WS-01.corp.example</Computer><Security UserID='S-1-5-18'/></System>`
  );
}

const SYSMON_FIELDS = {
  EventID: "3",
  Computer: "WS-01.corp.example",
  Channel: "Microsoft-Windows-Sysmon/Operational",
  ProviderName: "Microsoft-Windows-Sysmon",
  SourceName: "Microsoft-Windows-Sysmon",
  EventRecordID: "1201",
};

const NETWORK_EVENT = [
  `<Event ${NAMESPACE}>${system(3, "2024-03-01T10:00:08.1234567Z")}<EventData>`,
  "<Data Name='UtcTime'>2024-03-01 10:00:07.250</Data><Data Name='ProcessGuid'>{5a1e0001-0000-0000-0000-000000000900}</Data>",
  "<Data Name='ProcessId'>4242</Data><Data Name='Image'>C:\\Temp\\payload.exe</Data><Data Name='User'>CORP\\bob</Data>",
  "<Data Name='Protocol'>tcp</Data><Data Name='Initiated'>true</Data><Data Name='SourceIp'>10.0.0.5</Data><Data Name='SourcePort'>50123</Data>",
  "<Data Name='DestinationIp'>198.51.100.7</Data><Data Name='DestinationHostname'>-</Data><Data Name='DestinationPort'>8443</Data>",
  "</EventData></Event>",
].join("\n");

const NETWORK_RECORD = {
  ...SYSMON_FIELDS,
  TimeCreated: "2024-03-01T10:00:08.1234567Z",
  UtcTime: "2024-03-01 10:00:07.250",
  ProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
  ProcessId: "4242",
  Image: "C:\\Temp\\payload.exe",
  User: "CORP\\bob",
  Protocol: "tcp",
  Initiated: "true",
  SourceIp: "10.0.0.5",
  SourcePort: "50123",
  DestinationIp: "198.51.100.7",
  DestinationHostname: "-",
  DestinationPort: "8443",
};

/** Double-quoted attributes, an empty Data item and entity-laden text, as wevtutil escapes them. */
const PROCESS_EVENT = [
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">${system(1, "2024-03-01T10:00:05.0000000Z")}`,
  '<EventData><Data Name="UtcTime">2024-03-01 10:00:04.987</Data><Data Name="ProcessId">4300</Data>',
  '<Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data>',
  '<Data Name="CommandLine">  cmd.exe /c echo &lt;script&gt;alert(&quot;x&apos;)&lt;/script&gt; &amp;&amp; echo &#65;&#x42;&#x1F600;  </Data>',
  '<Data Name="ParentUser"/><Data Name="ParentImage"></Data></EventData></Event>',
].join("\n");

const PROCESS_COMMAND_LINE = `  cmd.exe /c echo <script>alert("x')</script> && echo AB\u{1F600}  `;

/** The rows without their text lengths, which one test checks. */
function rowsOf(text: string) {
  return [...readSysmonXmlEvents(text)].map(({ chars: _chars, ...row }) => row);
}

describe("looksLikeEventXml", () => {
  it.each([
    [`<Event ${NAMESPACE}><System/></Event>`],
    ["\uFEFF<?xml version='1.0' encoding='utf-8'?>\r\n<Events>\r\n<Event>"],
    ["  \n<Events>"],
    ["<?xml version=\"1.0\"?><Event\n xmlns='x'>"],
  ])("recognises %j", (text) => {
    expect(looksLikeEventXml(text)).toBe(true);
  });

  it.each([["<EventData>"], ["<Eventful>"], ['{"EventID": 1}'], ["EventID,Image\n1,cmd.exe"], ["<html><body>"], ["<?xml version='1.0'?><Report/>"], [""]])(
    "refuses %j",
    (text) => {
      expect(looksLikeEventXml(text)).toBe(false);
    },
  );
});

describe("readSysmonXmlEvents", () => {
  it("reads wevtutil's root-less run of events, each at the line it starts on", () => {
    // Each event's text runs to the next one's start.
    expect([...readSysmonXmlEvents(`${NETWORK_EVENT}\n${PROCESS_EVENT}\n`)].map((row) => row.chars)).toEqual([NETWORK_EVENT.length + 1, PROCESS_EVENT.length + 1]);
    expect(rowsOf(`${NETWORK_EVENT}\n${PROCESS_EVENT}\n`)).toEqual([
      { line: 1, record: NETWORK_RECORD },
      {
        line: 7,
        record: {
          ...SYSMON_FIELDS,
          EventID: "1",
          TimeCreated: "2024-03-01T10:00:05.0000000Z",
          UtcTime: "2024-03-01 10:00:04.987",
          ProcessId: "4300",
          Image: "C:\\Windows\\System32\\cmd.exe",
          CommandLine: PROCESS_COMMAND_LINE,
          ParentUser: "",
          ParentImage: "",
        },
      },
    ]);
  });

  it("reads an <Events> document with a declaration, CRLF line ends and a pretty-printed event", () => {
    const prettyImageLoad = [
      "  <Event>",
      "    <System>",
      "      <Provider Name = 'Microsoft-Windows-Sysmon' />",
      "      <EventID>",
      "        7",
      "      </EventID>",
      "      <TimeCreated SystemTime=\"2024-03-01T10:00:06.000000000Z\" />",
      "      <Computer>",
      "        WS-02",
      "      </Computer>",
      "    </System>",
      "    <EventData>",
      "      <Data Name='ImageLoaded'>C:\\Windows\\System32\\rsaenh.dll</Data>",
      "    </EventData>",
      "  </Event >",
    ];
    const document = ["\uFEFF<?xml version='1.0' encoding='utf-8'?>", "<Events>", ...prettyImageLoad, NETWORK_EVENT, "</Events>", ""].join("\r\n");
    expect(rowsOf(document)).toEqual([
      {
        line: 3,
        record: {
          EventID: "7",
          Computer: "WS-02",
          TimeCreated: "2024-03-01T10:00:06.000000000Z",
          ProviderName: "Microsoft-Windows-Sysmon",
          SourceName: "Microsoft-Windows-Sysmon",
          ImageLoaded: "C:\\Windows\\System32\\rsaenh.dll",
        },
      },
      { line: 18, record: NETWORK_RECORD },
    ]);
  });

  it("decodes entities and character references in a command line into plain text", () => {
    const [row] = rowsOf(PROCESS_EVENT);
    expect(row.record?.CommandLine).toBe(PROCESS_COMMAND_LINE);
    const normalized = normalizeSysmonRecord(row.record ?? {});
    expect(normalized).toMatchObject({
      outcome: "event",
      event: {
        kind: "process",
        timestamp: "2024-03-01T10:00:04.9870000Z",
        deviceName: "WS-01.corp.example",
        fileName: "cmd.exe",
        processId: 4300,
        processCommandLine: PROCESS_COMMAND_LINE,
        initiatingProcessFolderPath: null,
        initiatingProcessAccountName: null,
        loggedAt: "2024-03-01T10:00:05.0000000Z",
        source: "sysmon",
      },
    });
  });

  it("gives normalizeSysmonRecord a record it maps like the OTRF JSON", () => {
    const [row] = rowsOf(NETWORK_EVENT);
    expect(normalizeSysmonRecord(row.record ?? {})).toMatchObject({
      outcome: "event",
      event: {
        kind: "network",
        actionType: "ConnectionSuccess",
        timestamp: "2024-03-01T10:00:07.2500000Z",
        loggedAt: "2024-03-01T10:00:08.1234567Z",
        remoteIp: "198.51.100.7",
        remotePort: 8443,
        remoteUrl: null,
        initiatingProcessId: 4242,
        initiatingProcessGuid: "{5a1e0001-0000-0000-0000-000000000900}",
      },
    });
  });

  it("reports a malformed event at its line and carries on with the next one", () => {
    const unclosed = `<Event ${NAMESPACE}>${system(7, "2024-03-01T10:00:06Z")}\n<EventData><Data Name='ImageLoaded'>C:\\x.dll</Data>`;
    const text = [NETWORK_EVENT, unclosed, PROCESS_EVENT].join("\n");
    expect(rowsOf(text)).toEqual([
      { line: 1, record: NETWORK_RECORD },
      { line: 7, record: null, error: "<Event> is not closed (inside <EventData>)" },
      { line: 9, record: expect.objectContaining({ EventID: "1", CommandLine: PROCESS_COMMAND_LINE }) },
    ]);
  });

  it.each([
    ["an event without EventID", "<Event><System><Computer>ws-01</Computer></System></Event>", "the event has no System/EventID"],
    ["an empty event", "<Event/>", "the event has no System/EventID"],
    ["a mismatched end tag", "<Event><System><EventID>1</System></Event>", "unexpected </System> inside <EventID>"],
    ["an undeclared entity", `<Event>${system(1, "2024-03-01T10:00:00Z")}<EventData><Data Name='CommandLine'>&xxe;</Data></EventData></Event>`, "unknown or invalid reference &xxe;"],
    ["a reference to NUL", "<Event><System><EventID>1&#0;</EventID></System></Event>", "unknown or invalid reference &#0;"],
    ["a bare ampersand", "<Event><System><EventID>1 & 2</EventID></System></Event>", '"&" without a reference at "& 2"'],
    ["a DOCTYPE inside an event", "<Event><!DOCTYPE x [<!ENTITY a 'b'>]><System><EventID>1</EventID></System></Event>", "XML declarations such as <!DOCTYPE> or <!ENTITY> are not supported"],
    ["an unquoted attribute", "<Event><System><Provider Name=Sysmon/><EventID>1</EventID></System></Event>", "attribute Name of <Provider> is not quoted"],
    ["an unclosed attribute", "<Event><System><Provider Name='Sysmon/><EventID>1</EventID></System></Event>", "unclosed <Provider> tag"],
    ["an unclosed comment", "<Event><System><EventID>1</EventID><!-- x </System></Event>", "unclosed comment"],
  ])("rejects %s", (_description, text, error) => {
    expect(rowsOf(`\n${text}`)).toEqual([{ line: 2, record: null, error }]);
  });

  it("keeps comments, CDATA and unnamed Data out of the fields, and System fields ahead of same-named Data", () => {
    const text =
      `<Event><!-- forwarded --><System><EventID>1</EventID></System><EventData>` +
      `<Data Name='CommandLine'><![CDATA[a <b> &amp;]]> c</Data><Data>unnamed</Data><Data Name='EventID'>99</Data>` +
      `<Data Name='__proto__'>polluted</Data></EventData></Event>`;
    const [row] = rowsOf(text);
    expect(row).toEqual({ line: 1, record: { EventID: "1", CommandLine: "a <b> &amp; c", ["__proto__"]: "polluted" } });
    expect(Object.hasOwn(row.record ?? {}, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(row.record)).toBe(Object.prototype);
  });

  it("ignores text outside events and yields nothing for a file without any", () => {
    expect(rowsOf("<Events>\n</Events>")).toEqual([]);
    expect(rowsOf("<EventData><Data Name='x'>1</Data></EventData>")).toEqual([]);
  });

  it("reads a 200 KB hostile command line as text, and fails fast on a 200 KB run of ampersands", () => {
    const escaped = "&lt;&amp;&gt;&quot;\\\\&#x26;amp;".repeat(8_000) + "x".repeat(20_000);
    const decoded = "<&>\"\\\\&amp;".repeat(8_000) + "x".repeat(20_000);
    const event = (commandLine: string) => `<Event>${system(1, "2024-03-01T10:00:00Z")}<EventData><Data Name='CommandLine'>${commandLine}</Data></EventData></Event>`;
    expect(rowsOf(event(escaped))[0].record?.CommandLine).toBe(decoded);
    expect(rowsOf(event("&".repeat(200_000)))).toEqual([{ line: 1, record: null, error: '"&" without a reference at "&&&&&&&&&&&&"' }]);
    expect(rowsOf(`<Event>${"<a ".repeat(70_000)}`)).toEqual([{ line: 1, record: null, error: 'invalid name "" in a tag' }]);
  });
});
