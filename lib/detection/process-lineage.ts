/**
 * Suspicious traits of a process and its ancestry: who started it, where its image lives and
 * whether its name imitates a Windows system binary. C2 implants are typically dropped by a
 * document or script, into a folder the user can write, under a name that blends in.
 */

export interface LineageProcess {
  /** e.g. "powershell.exe" */
  fileName: string | null;
  /** The image's folder or its full path, as Defender or Sysmon reports it, e.g. "C:\\Windows\\System32\\svchost.exe" or "/usr/bin/nc". */
  folderPath: string | null;
  commandLine: string | null;
}

export type LineageFlagId =
  | "office-spawns-shell"
  | "script-host-spawns-shell"
  | "user-writable-path"
  | "masquerading-name"
  | "system-name-outside-system32";

export interface LineageFlag {
  id: LineageFlagId;
  label: string;
  /** Names the processes involved, e.g. "WINWORD.EXE started powershell.exe". */
  detail: string;
}

const LABELS: Record<LineageFlagId, string> = {
  "office-spawns-shell": "Office application started a shell",
  "script-host-spawns-shell": "Script host started a shell",
  "user-writable-path": "Runs from a user-writable folder",
  "masquerading-name": "Name imitates a system binary",
  "system-name-outside-system32": "System binary name outside its system folder",
};

const SHELLS = ["powershell.exe", "pwsh.exe", "cmd.exe", "python.exe", "pythonw.exe", "python3.exe", "py.exe"];

interface SpawnRule {
  id: LineageFlagId;
  parents: readonly string[];
  children: readonly string[];
}

/**
 * Parents with no business starting these children. The grandparent counts when the parent is itself one of
 * the children (WINWORD.EXE -> cmd.exe -> powershell.exe), not through an arbitrary intermediary.
 * PowerShell and cmd are not script hosts here: their starting python or each other is everyday admin work.
 */
const SPAWN_RULES: readonly SpawnRule[] = [
  {
    id: "office-spawns-shell",
    parents: ["winword.exe", "excel.exe", "powerpnt.exe", "outlook.exe", "msaccess.exe", "mspub.exe", "onenote.exe"],
    children: [...SHELLS, "wscript.exe", "cscript.exe", "mshta.exe", "rundll32.exe", "regsvr32.exe"],
  },
  {
    id: "script-host-spawns-shell",
    parents: ["wscript.exe", "cscript.exe", "mshta.exe"],
    children: SHELLS,
  },
];

const SYSTEM_FOLDERS = ["C:\\Windows\\System32", "C:\\Windows\\SysWOW64"];

/** Defender's engine: updated into a versioned Platform subfolder (`*` stands for one folder name), or where it was installed. */
const DEFENDER_FOLDERS = ["C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\*", "C:\\Program Files\\Windows Defender"];

/** Well-known Windows binaries, as Windows spells them, and the folders they ship in (`*` at a folder's end: any one folder inside it). */
export const SYSTEM_BINARIES: readonly { name: string; folders: readonly string[] }[] = [
  ...[
    "svchost.exe", "lsass.exe", "lsaiso.exe", "csrss.exe", "services.exe", "winlogon.exe", "smss.exe",
    "wininit.exe", "userinit.exe", "taskhostw.exe", "taskhost.exe", "RuntimeBroker.exe", "dllhost.exe",
    "conhost.exe", "rundll32.exe", "regsvr32.exe", "spoolsv.exe", "sihost.exe", "fontdrvhost.exe",
    "dwm.exe", "ctfmon.exe", "SearchIndexer.exe", "SecurityHealthService.exe",
  ].map((name) => ({ name, folders: SYSTEM_FOLDERS })),
  { name: "WmiPrvSE.exe", folders: ["C:\\Windows\\System32\\wbem", "C:\\Windows\\SysWOW64\\wbem"] },
  { name: "explorer.exe", folders: ["C:\\Windows", "C:\\Windows\\SysWOW64"] },
  ...["MsMpEng.exe", "NisSrv.exe", "MpCmdRun.exe"].map((name) => ({ name, folders: DEFENDER_FOLDERS })),
];

/** Shorter names are one edit from real programs (smss.exe -> ssms.exe, SQL Server Management Studio): digit lookalikes only. */
const EDIT_DISTANCE_MIN_STEM_LENGTH = 5;

/** Letters a digit passes for in a file name (svch0st, 1sass, expl0rer). */
const DIGIT_LOOKALIKES: Record<string, string> = { "0": "o", "1": "li", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g" };

/** Windows folders, after the drive, whose contents any user can write or drop into. AppData, Downloads and Public sit under Users. */
const USER_WRITABLE_WINDOWS_FOLDERS = ["users", "programdata", "temp", "windows\\temp", "$recycle.bin", "perflogs"];
const USER_WRITABLE_UNIX_FOLDERS = ["/tmp", "/var/tmp", "/dev/shm", "/home", "/run/user"];

/**
 * Where downloads and droppers land and software is not installed (relative to the drive, lower
 * case, `*` any one folder): per-user installs (AppData\Local\Programs, OneDrive, Teams) are
 * user-writable too, but not staging.
 */
const STAGING_WINDOWS_FOLDERS = ["users\\*\\downloads", "users\\*\\desktop", "users\\*\\appdata\\local\\temp", "users\\public", "windows\\temp", "temp", "$recycle.bin", "perflogs"];
const STAGING_UNIX_FOLDERS = ["/tmp", "/var/tmp", "/dev/shm"];

const CHECKS: readonly { id: LineageFlagId; detail: (process: LineageProcess, parent: LineageProcess | null, grandparent: LineageProcess | null) => string | null }[] = [
  ...SPAWN_RULES.map((rule) => ({
    id: rule.id,
    detail: (process: LineageProcess, parent: LineageProcess | null, grandparent: LineageProcess | null) => spawnDetail(rule, process, parent, grandparent),
  })),
  { id: "user-writable-path", detail: userWritablePathDetail },
  { id: "masquerading-name", detail: masqueradingNameDetail },
  { id: "system-name-outside-system32", detail: systemNameOutsideSystemFolderDetail },
];

/** Flags for a process given its parent and grandparent, in a fixed order, each at most once. */
export function assessLineage(process: LineageProcess, parent: LineageProcess | null, grandparent: LineageProcess | null): LineageFlag[] {
  return CHECKS.flatMap(({ id, detail }) => {
    const text = detail(process, parent, grandparent);
    return text === null ? [] : [{ id, label: LABELS[id], detail: text }];
  });
}

function spawnDetail(rule: SpawnRule, process: LineageProcess, parent: LineageProcess | null, grandparent: LineageProcess | null): string | null {
  if (!isNamed(process, rule.children)) return null;
  if (isNamed(parent, rule.parents)) return `${parent!.fileName} started ${process.fileName}`;
  if (isNamed(grandparent, rule.parents) && isNamed(parent, rule.children)) {
    return `${grandparent!.fileName} started ${parent!.fileName}, which started ${process.fileName}`;
  }
  return null;
}

function userWritablePathDetail(process: LineageProcess): string | null {
  const folder = imageFolder(process);
  // Defender's Platform folder sits under ProgramData but only the system can write it.
  if (folder === null || systemBinaryHome(process, folder) === "home") return null;
  const writable = folder.startsWith("/")
    ? USER_WRITABLE_UNIX_FOLDERS.some((root) => isSameOrInside(folder, root, "/"))
    : /^[a-z]:\\/.test(folder) && USER_WRITABLE_WINDOWS_FOLDERS.some((root) => isSameOrInside(folder.slice(3), root, "\\"));
  return writable ? `${process.fileName ?? "The process"} runs from ${process.folderPath}` : null;
}

/** Whether the image runs from a staging folder (a download, a temp folder, C:\ProgramData itself), not from one software is installed in. */
export function runsFromStagingFolder(process: Pick<LineageProcess, "fileName" | "folderPath">): boolean {
  const folder = imageFolder(process);
  if (folder === null) return false;
  if (folder.startsWith("/")) return STAGING_UNIX_FOLDERS.some((root) => isSameOrInside(folder, root, "/"));
  if (!/^[a-z]:\\/.test(folder)) return false;
  const segments = folder.slice(3).split("\\");
  if (segments.length === 1 && segments[0] === "programdata") return true;
  return STAGING_WINDOWS_FOLDERS.some((pattern) => {
    const parts = pattern.split("\\");
    return parts.length <= segments.length && parts.every((part, index) => part === "*" || part === segments[index]);
  });
}

function masqueradingNameDetail(process: LineageProcess): string | null {
  const name = process.fileName?.toLowerCase();
  if (!name || SYSTEM_BINARIES.some((binary) => binary.name.toLowerCase() === name)) return null;
  const imitated = SYSTEM_BINARIES.find(({ name: systemName }) => {
    const target = systemName.toLowerCase();
    return isDigitLookalike(name, target) || (stem(target).length >= EDIT_DISTANCE_MIN_STEM_LENGTH && isOneEditApart(name, target));
  });
  return imitated ? `${process.fileName} imitates ${imitated.name}` : null;
}

function systemNameOutsideSystemFolderDetail(process: LineageProcess): string | null {
  const folder = imageFolder(process);
  if (folder === null || systemBinaryHome(process, folder) !== "elsewhere") return null;
  const binary = systemBinaryNamed(process.fileName)!;
  return `${process.fileName} runs from ${process.folderPath} instead of ${binary.folders.join(" or ")}`;
}

function systemBinaryNamed(fileName: string | null): (typeof SYSTEM_BINARIES)[number] | undefined {
  const name = fileName?.toLowerCase();
  return SYSTEM_BINARIES.find((candidate) => candidate.name.toLowerCase() === name);
}

/** Whether a system binary's name is on an image in one of its folders; null when it is not a system binary's name. */
function systemBinaryHome(process: LineageProcess, folder: string): "home" | "elsewhere" | null {
  const binary = systemBinaryNamed(process.fileName);
  if (!binary) return null;
  return binary.folders.some((home) => isFolder(folder, home.toLowerCase())) ? "home" : "elsewhere";
}

/** `home` is a folder, or ends in `\*`: any one folder inside it. */
function isFolder(folder: string, home: string): boolean {
  if (!home.endsWith("\\*")) return folder === home;
  const parent = home.slice(0, -1);
  return folder.startsWith(parent) && folder.length > parent.length && !folder.slice(parent.length).includes("\\");
}

function isNamed(process: LineageProcess | null, names: readonly string[]): boolean {
  const name = process?.fileName?.toLowerCase();
  return name !== undefined && names.includes(name);
}

/**
 * The folder holding the image, lower-cased, without a trailing separator, with `\` separators
 * for Windows paths. folderPath may end with the file name (Defender, Sysmon) or not.
 */
function imageFolder(process: Pick<LineageProcess, "fileName" | "folderPath">): string | null {
  if (!process.folderPath) return null;
  const lowered = process.folderPath.toLowerCase();
  const separator = lowered.startsWith("/") ? "/" : "\\";
  const path = separator === "\\" ? lowered.replaceAll("/", "\\") : lowered;
  let end = path.length;
  while (end > 1 && path[end - 1] === separator) end--;
  const folder = path.slice(0, end);
  const fileSuffix = process.fileName ? separator + process.fileName.toLowerCase() : null;
  return fileSuffix && folder.endsWith(fileSuffix) ? folder.slice(0, -fileSuffix.length) : folder;
}

/** Segment-wise, so /home matches /home/bob but not /homework. */
function isSameOrInside(path: string, folder: string, separator: string): boolean {
  return path === folder || path.startsWith(folder + separator);
}

function stem(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** Same length, and every difference is a digit standing in for the letter it resembles. */
function isDigitLookalike(name: string, target: string): boolean {
  if (name.length !== target.length || name === target) return false;
  for (let index = 0; index < name.length; index++) {
    const char = name[index];
    if (char !== target[index] && !(DIGIT_LOOKALIKES[char] ?? "").includes(target[index])) return false;
  }
  return true;
}

/** One insertion, deletion, substitution or swap of adjacent characters (scvhost -> svchost) turns a into b. */
function isOneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  const restA = a.slice(start);
  const restB = b.slice(start);
  return (
    restA.slice(1) === restB.slice(1) ||
    restA.slice(1) === restB ||
    restA === restB.slice(1) ||
    (restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2))
  );
}
