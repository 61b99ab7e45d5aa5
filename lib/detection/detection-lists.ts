/**
 * The four tuning lists of the seed query (../shared/seeds/000_*.txt), with its defaults.
 * They are data, edited by analysts on the Allowlists page; detection takes them as arguments.
 */
export const DETECTION_LIST_NAMES = [
  "cryptoLibraries",
  "excludedSystemProcesses",
  "excludedBrowsers",
  "standardPorts",
] as const;

export type DetectionListName = (typeof DETECTION_LIST_NAMES)[number];

/**
 * The lists that only hide findings: a process with an excluded name is left out whole, whatever
 * else happens. So the server computes findings without them and hides the excluded names when
 * findings are read: changing them shows at once, with no rerun. In the default mode a Windows
 * system binary's name is hidden only on an image in that binary's own folder: the same name
 * anywhere else is a masquerade, flagged (see process-lineage). The seed mode hides by name alone.
 */
export const HIDING_LIST_NAMES = ["excludedSystemProcesses", "excludedBrowsers"] as const satisfies readonly DetectionListName[];
export type HidingListName = (typeof HIDING_LIST_NAMES)[number];

export function isHidingList(list: DetectionListName): boolean {
  return (HIDING_LIST_NAMES as readonly string[]).includes(list);
}

/** The lists as detection computes with them on the server: the hiding lists apply later, when findings are read. */
export function computedLists(lists: DetectionLists): DetectionLists {
  return { ...lists, excludedSystemProcesses: [], excludedBrowsers: [] };
}

export interface DetectionLists {
  cryptoLibraries: string[];
  excludedSystemProcesses: string[];
  excludedBrowsers: string[];
  standardPorts: number[];
}

export const DETECTION_LIST_LABELS: Record<DetectionListName, { title: string; kqlName: string; help: string; example: string }> = {
  cryptoLibraries: {
    title: "Crypto libraries",
    kqlName: "CryptoLibraries",
    help: "DLL file names whose load marks a process as a crypto user.",
    example: "crypt32.dll",
  },
  excludedSystemProcesses: {
    title: "Excluded system processes",
    kqlName: "ExcludedSystemProcs",
    help: "Process file names not flagged (compared case-insensitively). In the default mode a Windows system binary's name (svchost.exe, MsMpEng.exe…) only on an image in its own folder: elsewhere it is flagged as a masquerade.",
    example: "VeeamAgent.exe",
  },
  excludedBrowsers: {
    title: "Excluded browsers",
    kqlName: "ExcludedBrowsers",
    help: "Browser file names never flagged (compared case-insensitively).",
    example: "arc.exe",
  },
  standardPorts: {
    title: "Standard ports",
    kqlName: "StandardPorts",
    help: "Remote ports considered normal; connections to them are ignored.",
    example: "7443",
  },
};

export const SEED_QUERY_LISTS: DetectionLists = {
  cryptoLibraries: ["rsaenh.dll", "bcrypt.dll", "bcryptprimitives.dll", "cryptsp.dll", "ncrypt.dll"],
  excludedSystemProcesses: [
    "lsass.exe", "svchost.exe", "services.exe", "spoolsv.exe", "csrss.exe",
    "winlogon.exe", "smss.exe", "wininit.exe", "MsMpEng.exe", "NisSrv.exe",
    "SecurityHealthService.exe", "SearchIndexer.exe", "fontdrvhost.exe",
    "dwm.exe", "sihost.exe", "taskhostw.exe", "RuntimeBroker.exe",
  ],
  excludedBrowsers: ["chrome.exe", "firefox.exe", "msedge.exe", "iexplore.exe", "opera.exe", "brave.exe", "vivaldi.exe"],
  standardPorts: [80, 443, 8080, 8443, 53, 22, 21, 20, 25, 587, 465, 993, 995, 110, 143, 3389],
};
