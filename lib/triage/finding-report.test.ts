import { describe, expect, it } from "vitest";
import type { SeedQueryRow } from "../detection/seed-kql-query";
import { storedDefaultFinding } from "../testing/stored-default-finding";
import { codeBlock, codeSpan, findingReport } from "./finding-report";
import type { TriageDetail } from "./triage-state";

const NO_TRIAGE: TriageDetail = { status: "new", classification: null, reason: null, assignee: null, tags: [], reopened: null, notes: [], history: [] };

describe("codeSpan and codeBlock", () => {
  it("fence a value with one backtick more than its longest run, padded when it starts or ends with one", () => {
    expect(codeSpan("[x](http://evil)")).toBe("`[x](http://evil)`");
    expect(codeSpan("a `b` ``c`` d")).toBe("```a `b` ``c`` d```");
    expect(codeSpan("a ``c``")).toBe("``` a ``c`` ```");
    expect(codeSpan("`evil`")).toBe("`` `evil` ``");
    expect(codeSpan(" both ")).toBe("`  both  `");
    expect(codeSpan("")).toBe("(empty)");
  });

  it("keep a code span on its line: a line break would end a heading or list item", () => {
    expect(codeSpan("a\r\n# b")).toBe("`a␍␊# b`");
  });

  it("fence a block with at least three backticks, more than the value's longest run", () => {
    expect(codeBlock("a\nb")).toBe("```\na\nb\n```");
    expect(codeBlock("x ```` y")).toBe("`````\nx ```` y\n`````");
  });
});

describe("findingReport", () => {
  it("writes a default finding: title, why, evidence, timeline, verdict, notes, history; attacker strings only in code", () => {
    const hostile = storedDefaultFinding({
      process: {
        processName: "[x](http://evil)",
        commandLine: 'powershell -c "```" <img src=x onerror=alert(1)>\n# not a heading',
        folderPath: "C:\\Users\\Public",
        processCreationTime: "2024-05-01T09:59:00.000Z",
        accountName: "CORP\\alice",
      },
      parent: { fileName: "cmd.exe", processId: 100, commandLine: null },
      severityBasis: ["Strong beacon: medium"],
      reasons: [{ kind: "beacon", text: "Beacons to `203.0.113.5` every 60 s", eventIds: [1] }],
    });
    const triage: TriageDetail = {
      status: "resolved",
      classification: "true_positive",
      reason: "Implant <b>confirmed</b>",
      assignee: "alice",
      tags: ["c2", "lab"],
      reopened: null,
      notes: [{ author: "bob", at: "2024-05-02T08:00:00.000Z", text: "![a](http://evil/p.png)" }],
      history: [
        { at: "2024-05-02T08:00:00.000Z", actor: "alice", field: "status", from: "new", to: "resolved" },
        { at: "2024-05-02T08:00:00.000Z", actor: "alice", field: "classification", from: null, to: "true_positive" },
      ],
    };
    expect(findingReport({ mode: "default", id: "0123456789abcdef", finding: hostile }, triage).split("\n")).toEqual([
      "# `[x](http://evil)` on `ws-01`: high severity",
      "",
      "Finding `0123456789abcdef` (default detection), medium confidence.",
      "",
      "## What was flagged and why",
      "",
      "Rules:",
      "",
      "- Strong beacon from a non-browser process (no DLL load needed)",
      "",
      "Reasons:",
      "",
      "- ``Beacons to `203.0.113.5` every 60 s``",
      "",
      "Severity basis:",
      "",
      "- `Strong beacon: medium`",
      "",
      "## Evidence",
      "",
      "- Process: `[x](http://evil)`, pid 4242",
      "- Device: `ws-01`",
      "- Created: `2024-05-01T09:59:00.000Z`",
      "- Account: `CORP\\alice`",
      "- SHA256: `ab12`",
      "- Folder: `C:\\Users\\Public`",
      "- Parent: `cmd.exe`, pid 100",
      "- Crypto libraries loaded: `bcrypt.dll`",
      "",
      "Command line:",
      "",
      "````",
      'powershell -c "```" <img src=x onerror=alert(1)>',
      "# not a heading",
      "````",
      "",
      "Destinations:",
      "",
      "- `203.0.113.5:8443`: 120 connections, beacon score 0.912, median interval 60.0 s",
      "",
      "## Timeline",
      "",
      "- First connection: `2024-05-01T10:00:00.000Z`",
      "- Last connection: `2024-05-01T12:00:00.000Z`",
      "- Connections: 120",
      "- Median interval: 60.0 s",
      "- Beacon score: 0.912",
      "- Strong beacon: yes",
      "",
      "## Verdict",
      "",
      "- Status: Resolved",
      "- Classification: True positive",
      "- Assignee: `alice`",
      "- Tags: `c2`, `lab`",
      "",
      "Reason:",
      "",
      "```",
      "Implant <b>confirmed</b>",
      "```",
      "",
      "## Notes",
      "",
      "Note 1, by `bob` at `2024-05-02T08:00:00.000Z`:",
      "",
      "```",
      "![a](http://evil/p.png)",
      "```",
      "",
      "## History",
      "",
      "2 changes recorded.",
      "",
    ]);
  });

  it("writes a seed query row's columns instead of the default mode's parts", () => {
    const row: SeedQueryRow = {
      DeviceName: "ws-02",
      ProcessName: "`evil`",
      ProcessCmd: "evil.exe\n<script>alert(1)</script>",
      AccountName: "",
      ProcessSHA256: "cd34",
      CryptoLibsLoaded: ["bcrypt.dll", "[l](http://evil)"],
      RemoteIPs: ["203.0.113.5"],
      RemotePorts: [8443, 443],
      ConnectionCount: 5,
      TotalBytesSent: null,
      TotalBytesReceived: 2048,
      FirstConnection: "2024-05-01T10:00:00.000Z",
      LastConnection: "2024-05-01T10:04:00.000Z",
      DataTransferMB: null,
      DurationMinutes: 4,
      AvgIntervalSeconds: 60,
      BeaconLikely: true,
    };
    expect(findingReport({ mode: "kql", id: "fedcba9876543210", row }, NO_TRIAGE).split("\n")).toEqual([
      "# `` `evil` `` on `ws-02`: seed query row",
      "",
      "Finding `fedcba9876543210` (seed query, the Sentinel parity mode). Beacon likely: yes.",
      "",
      "## The seed query's row",
      "",
      "- DeviceName: `ws-02`",
      "- ProcessName: `` `evil` ``",
      "- AccountName: n/a",
      "- ProcessSHA256: `cd34`",
      "- CryptoLibsLoaded: `bcrypt.dll`, `[l](http://evil)`",
      "- RemoteIPs: `203.0.113.5`",
      "- RemotePorts: 8443, 443",
      "- ConnectionCount: 5",
      "- TotalBytesSent: n/a",
      "- TotalBytesReceived: 2048",
      "- FirstConnection: `2024-05-01T10:00:00.000Z`",
      "- LastConnection: `2024-05-01T10:04:00.000Z`",
      "- DataTransferMB: n/a",
      "- DurationMinutes: 4",
      "- AvgIntervalSeconds: 60",
      "- BeaconLikely: yes",
      "",
      "ProcessCmd:",
      "",
      "```",
      "evil.exe",
      "<script>alert(1)</script>",
      "```",
      "",
      "## Verdict",
      "",
      "- Status: New",
      "- Classification: none",
      "- Assignee: nobody",
      "- Tags: none",
      "",
      "Reason: none",
      "",
      "## Notes",
      "",
      "No notes.",
      "",
      "## History",
      "",
      "0 changes recorded.",
      "",
    ]);
  });
});
