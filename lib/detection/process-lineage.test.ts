import { describe, expect, it } from "vitest";
import { assessLineage, runsFromStagingFolder, type LineageProcess } from "./process-lineage";

function image(fileName: string | null, folderPath: string | null = null): LineageProcess {
  return { fileName, folderPath, commandLine: null };
}

const POWERSHELL = image("powershell.exe", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
const CMD = image("cmd.exe", "C:\\Windows\\System32\\cmd.exe");
const PYTHON = image("python.exe", "C:\\Program Files\\Python312\\python.exe");
const WSCRIPT = image("wscript.exe", "C:\\Windows\\System32\\wscript.exe");
const MSHTA = image("mshta.exe", "C:\\Windows\\SysWOW64\\mshta.exe");
const WINWORD = image("WINWORD.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE");
const EXCEL = image("EXCEL.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE");
const EXPLORER = image("explorer.exe", "C:\\Windows\\explorer.exe");
const SPLWOW64 = image("splwow64.exe", "C:\\Windows\\splwow64.exe");
const EDGE = image("msedge.exe", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe");

const OFFICE_SPAWNS_SHELL = { id: "office-spawns-shell", label: "Office application started a shell" } as const;
const SCRIPT_HOST_SPAWNS_SHELL = { id: "script-host-spawns-shell", label: "Script host started a shell" } as const;
const USER_WRITABLE_PATH = { id: "user-writable-path", label: "Runs from a user-writable folder" } as const;
const MASQUERADING_NAME = { id: "masquerading-name", label: "Name imitates a system binary" } as const;
const SYSTEM_NAME_OUTSIDE_SYSTEM32 = { id: "system-name-outside-system32", label: "System binary name outside its system folder" } as const;

describe("assessLineage: Office and script hosts starting shells", () => {
  it("flags an Office application starting a shell", () => {
    expect(assessLineage(POWERSHELL, WINWORD, EXPLORER)).toEqual([{ ...OFFICE_SPAWNS_SHELL, detail: "WINWORD.EXE started powershell.exe" }]);
    expect(assessLineage(MSHTA, EXCEL, null)).toEqual([{ ...OFFICE_SPAWNS_SHELL, detail: "EXCEL.EXE started mshta.exe" }]);
  });

  it("compares names case-insensitively", () => {
    expect(assessLineage(image("POWERSHELL.EXE"), image("winword.exe"), null)).toEqual([{ ...OFFICE_SPAWNS_SHELL, detail: "winword.exe started POWERSHELL.EXE" }]);
  });

  it("follows a chain of shells up to the Office grandparent", () => {
    expect(assessLineage(POWERSHELL, CMD, WINWORD)).toEqual([{ ...OFFICE_SPAWNS_SHELL, detail: "WINWORD.EXE started cmd.exe, which started powershell.exe" }]);
  });

  it("does not flag Office starting other programs, or a shell whose parent is not itself a shell", () => {
    expect(assessLineage(WINWORD, EXPLORER, null)).toEqual([]);
    expect(assessLineage(SPLWOW64, WINWORD, EXPLORER)).toEqual([]);
    expect(assessLineage(EDGE, image("OUTLOOK.EXE"), EXPLORER)).toEqual([]);
    expect(assessLineage(CMD, SPLWOW64, WINWORD)).toEqual([]);
    expect(assessLineage(POWERSHELL, null, null)).toEqual([]);
  });

  it("flags a script host starting a shell, directly or through another shell", () => {
    expect(assessLineage(POWERSHELL, WSCRIPT, EXPLORER)).toEqual([{ ...SCRIPT_HOST_SPAWNS_SHELL, detail: "wscript.exe started powershell.exe" }]);
    expect(assessLineage(PYTHON, CMD, MSHTA)).toEqual([{ ...SCRIPT_HOST_SPAWNS_SHELL, detail: "mshta.exe started cmd.exe, which started python.exe" }]);
  });

  it("does not treat PowerShell or cmd as script hosts: they start python and each other all day", () => {
    expect(assessLineage(PYTHON, POWERSHELL, EXPLORER)).toEqual([]);
    expect(assessLineage(POWERSHELL, CMD, EXPLORER)).toEqual([]);
    expect(assessLineage(image("notepad.exe", "C:\\Windows\\System32\\notepad.exe"), WSCRIPT, EXPLORER)).toEqual([]);
  });

  it("reports both patterns when Office starts a script host that starts a shell", () => {
    expect(assessLineage(POWERSHELL, WSCRIPT, WINWORD)).toEqual([
      { ...OFFICE_SPAWNS_SHELL, detail: "WINWORD.EXE started wscript.exe, which started powershell.exe" },
      { ...SCRIPT_HOST_SPAWNS_SHELL, detail: "wscript.exe started powershell.exe" },
    ]);
  });
});

describe("assessLineage: image location", () => {
  it.each([
    [image("upd.exe", "C:\\Users\\bob\\AppData\\Local\\Temp\\upd.exe"), "upd.exe runs from C:\\Users\\bob\\AppData\\Local\\Temp\\upd.exe"],
    // Installed per user, still writable by that user.
    [image("Code.exe", "C:\\Users\\bob\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe"), "Code.exe runs from C:\\Users\\bob\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe"],
    [image("report.exe", "C:\\Users\\Public\\Downloads\\report.exe"), "report.exe runs from C:\\Users\\Public\\Downloads\\report.exe"],
    [image("agent.exe", "C:\\ProgramData\\Updater"), "agent.exe runs from C:\\ProgramData\\Updater"],
    [image("a.exe", "c:\\windows\\temp\\a.exe"), "a.exe runs from c:\\windows\\temp\\a.exe"],
    [image("a.exe", "C:\\Temp\\"), "a.exe runs from C:\\Temp\\"],
    [image("a.exe", "D:\\$Recycle.Bin\\S-1-5-21-1\\a.exe"), "a.exe runs from D:\\$Recycle.Bin\\S-1-5-21-1\\a.exe"],
    [image("a.exe", "C:\\PerfLogs\\a.exe"), "a.exe runs from C:\\PerfLogs\\a.exe"],
    [image("agent", "/tmp/.x/agent"), "agent runs from /tmp/.x/agent"],
    [image("k", "/dev/shm"), "k runs from /dev/shm"],
    [image("tool", "/home/bob/.local/bin/tool"), "tool runs from /home/bob/.local/bin/tool"],
    [image(null, "/var/tmp/payload"), "The process runs from /var/tmp/payload"],
  ])("flags an image in a user-writable folder: %j", (process, detail) => {
    expect(assessLineage(process, null, null)).toEqual([{ ...USER_WRITABLE_PATH, detail }]);
  });

  it.each([
    image("chrome.exe", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"),
    image("helper.exe", "C:\\Program Files\\Vendor\\temp\\helper.exe"),
    image("svchost.exe", "C:\\Windows\\System32\\svchost.exe"),
    // The SYSTEM profile's AppData is writable by SYSTEM only.
    image("setup.exe", "C:\\Windows\\System32\\config\\systemprofile\\AppData\\Local\\Temp\\setup.exe"),
    image("nc", "/usr/bin/nc"),
    image("grader", "/homework/grader"),
    image("backup", "/opt/tmp/backup"),
    image("notepad.exe", null),
  ])("does not flag an image in an administrator-owned folder: %j", (process) => {
    expect(assessLineage(process, null, null)).toEqual([]);
  });
});

describe("assessLineage: system binary names", () => {
  it.each([
    ["svch0st.exe", "svchost.exe"],
    ["scvhost.exe", "svchost.exe"],
    ["lsasss.exe", "lsass.exe"],
    ["csrsss.exe", "csrss.exe"],
    ["expl0rer.exe", "explorer.exe"],
    ["5VCH0ST.EXE", "svchost.exe"],
    ["rundl132.exe", "rundll32.exe"],
    ["5mss.exe", "smss.exe"],
    ["RuntimeBrokers.exe", "RuntimeBroker.exe"],
  ])("flags %s as imitating %s", (fileName, imitated) => {
    expect(assessLineage(image(fileName, "C:\\Program Files\\Vendor"), null, null)).toEqual([{ ...MASQUERADING_NAME, detail: `${fileName} imitates ${imitated}` }]);
  });

  it.each([
    "svchost.exe",
    "SVCHOST.EXE",
    // Windows 7's task host, one letter from taskhostw.exe.
    "taskhost.exe",
    // SQL Server Management Studio, one swap from smss.exe: short names are compared for digits only.
    "ssms.exe",
    "notepad.exe",
    "chrome.exe",
    "svchost.com.exe",
  ])("does not flag %s as a lookalike", (fileName) => {
    expect(assessLineage(image(fileName, "C:\\Windows\\System32"), null, null)).toEqual([]);
  });

  it("flags a system binary name outside its system folder", () => {
    expect(assessLineage(image("lsass.exe", "C:\\Windows\\lsass.exe"), null, null)).toEqual([
      { ...SYSTEM_NAME_OUTSIDE_SYSTEM32, detail: "lsass.exe runs from C:\\Windows\\lsass.exe instead of C:\\Windows\\System32 or C:\\Windows\\SysWOW64" },
    ]);
    expect(assessLineage(image("WmiPrvSE.exe", "C:\\Windows\\System32\\WmiPrvSE.exe"), null, null)).toEqual([
      { ...SYSTEM_NAME_OUTSIDE_SYSTEM32, detail: "WmiPrvSE.exe runs from C:\\Windows\\System32\\WmiPrvSE.exe instead of C:\\Windows\\System32\\wbem or C:\\Windows\\SysWOW64\\wbem" },
    ]);
  });

  it("knows Defender's engine in its versioned Platform folder, and flags it anywhere else", () => {
    const platform = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe";
    // ProgramData is user-writable, but not the engine's own folder in it.
    expect(assessLineage(image("MsMpEng.exe", platform), null, null)).toEqual([]);
    expect(assessLineage(image("NisSrv.exe", "C:\\Program Files\\Windows Defender\\NisSrv.exe"), null, null)).toEqual([]);
    const nested = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18\\x\\MsMpEng.exe";
    expect(assessLineage(image("MsMpEng.exe", nested), null, null)).toEqual([
      { ...USER_WRITABLE_PATH, detail: `MsMpEng.exe runs from ${nested}` },
      {
        ...SYSTEM_NAME_OUTSIDE_SYSTEM32,
        detail: `MsMpEng.exe runs from ${nested} instead of C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\* or C:\\Program Files\\Windows Defender`,
      },
    ]);
  });

  it("flags a system binary name dropped in a user-writable folder on both counts", () => {
    expect(assessLineage(image("svchost.exe", "C:\\Users\\Public"), null, null)).toEqual([
      { ...USER_WRITABLE_PATH, detail: "svchost.exe runs from C:\\Users\\Public" },
      { ...SYSTEM_NAME_OUTSIDE_SYSTEM32, detail: "svchost.exe runs from C:\\Users\\Public instead of C:\\Windows\\System32 or C:\\Windows\\SysWOW64" },
    ]);
  });

  it.each([
    image("svchost.exe", "C:\\Windows\\System32\\svchost.exe"),
    image("SVCHOST.EXE", "c:\\windows\\system32\\"),
    image("rundll32.exe", "C:\\Windows\\SysWOW64\\rundll32.exe"),
    image("conhost.exe", "C:/Windows/System32/conhost.exe"),
    image("WmiPrvSE.exe", "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe"),
    image("explorer.exe", "C:\\Windows\\explorer.exe"),
    image("lsass.exe", null),
  ])("does not flag a system binary in its own folder, or with an unknown folder: %j", (process) => {
    expect(assessLineage(process, null, null)).toEqual([]);
  });
});

describe("assessLineage: several flags", () => {
  it("reports each flag once, in a fixed order", () => {
    const dropped = image("rundll32.exe", "C:\\Users\\bob\\AppData\\Local\\Temp\\rundll32.exe");
    expect(assessLineage(dropped, CMD, WINWORD)).toEqual([
      { ...OFFICE_SPAWNS_SHELL, detail: "WINWORD.EXE started cmd.exe, which started rundll32.exe" },
      { ...USER_WRITABLE_PATH, detail: "rundll32.exe runs from C:\\Users\\bob\\AppData\\Local\\Temp\\rundll32.exe" },
      { ...SYSTEM_NAME_OUTSIDE_SYSTEM32, detail: "rundll32.exe runs from C:\\Users\\bob\\AppData\\Local\\Temp\\rundll32.exe instead of C:\\Windows\\System32 or C:\\Windows\\SysWOW64" },
    ]);
    const lookalike = image("scvhost.exe", "/tmp/scvhost.exe");
    expect(assessLineage(lookalike, WSCRIPT, null)).toEqual([
      { ...USER_WRITABLE_PATH, detail: "scvhost.exe runs from /tmp/scvhost.exe" },
      { ...MASQUERADING_NAME, detail: "scvhost.exe imitates svchost.exe" },
    ]);
  });
});

describe("runsFromStagingFolder", () => {
  const imageAt = (folderPath: string) => ({ fileName: folderPath.split(/[\\/]/).pop() ?? null, folderPath });

  it("takes downloads, desktops, temp folders, Public, the recycle bin and C:\\ProgramData itself", () => {
    for (const path of [
      "C:\\Users\\pedro\\Downloads\\payload.exe",
      "C:\\Users\\pedro\\Downloads\\x\\payload.exe",
      "c:\\users\\Bob\\Desktop\\a.exe",
      "C:\\Users\\bob\\AppData\\Local\\Temp\\7zS1\\setup.exe",
      "C:\\Users\\Public\\Libraries\\svchost.exe",
      "C:\\Windows\\Temp\\a.exe",
      "C:\\ProgramData\\a.exe",
      "D:\\$Recycle.Bin\\a.exe",
      "/tmp/.x/a",
      "/dev/shm/a",
    ]) {
      expect([path, runsFromStagingFolder(imageAt(path))]).toEqual([path, true]);
    }
  });

  it("leaves per-user and system installs, and ProgramData's subfolders", () => {
    for (const path of [
      "C:\\Users\\alice\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe",
      "C:\\Users\\carol\\AppData\\Local\\Programs\\Python\\Python312\\python.exe",
      "C:\\Users\\downloads.exe",
      "C:\\Program Files\\Veeam\\VeeamAgent.exe",
      "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.1\\MsMpEng.exe",
      "/home/bob/bin/tool",
      "/usr/bin/nc",
      "payload.exe",
    ]) {
      expect([path, runsFromStagingFolder(imageAt(path))]).toEqual([path, false]);
    }
  });
});
