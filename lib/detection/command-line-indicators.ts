/**
 * Tradecraft of symmetric-crypto command and control (MITRE ATT&CK T1573.001) visible in one
 * process command line: hidden PowerShell, encoded payloads, inline ciphers, XOR and RC4 loops.
 *
 * Command lines are attacker-controlled, so every pattern runs in linear time: no nested
 * quantifiers, and every repetition is bounded, so no input can make the engine backtrack far.
 */

export type CommandLineIndicatorId =
  | "hidden-window"
  | "encoded-command"
  | "inline-crypto-class"
  | "xor-loop"
  | "rc4-routine"
  | "exec-base64"
  | "openssl-enc";

export interface CommandLineIndicator {
  id: CommandLineIndicatorId;
  /** Short human text, e.g. "Hidden window". */
  label: string;
  /** The matched excerpt, at most EVIDENCE_MAX_LENGTH characters. */
  evidence: string;
}

/** Labels, in the order indicators are reported. */
const INDICATOR_LABELS: Record<CommandLineIndicatorId, string> = {
  "hidden-window": "Hidden window",
  "encoded-command": "Encoded command",
  "inline-crypto-class": "Inline .NET crypto class",
  "xor-loop": "XOR loop",
  "rc4-routine": "RC4 routine",
  "exec-base64": "Executes decoded Base64",
  "openssl-enc": "OpenSSL symmetric encryption",
};

const INDICATOR_ORDER = Object.keys(INDICATOR_LABELS) as CommandLineIndicatorId[];

const EVIDENCE_MAX_LENGTH = 80;

interface IndicatorRule {
  id: CommandLineIndicatorId;
  /** Global (matchAll needs it); the leftmost accepted match is the evidence. */
  pattern: RegExp;
  /** Patterns the line must also contain, e.g. the interpreter whose syntax `pattern` is. */
  requires?: readonly RegExp[];
  /** Judges what the regex cannot, e.g. whether PowerShell accepts an abbreviated switch. */
  accept?: (match: RegExpMatchArray) => boolean;
  /** Appended to the label in parentheses, e.g. the cipher OpenSSL is told to use. */
  qualifier?: (match: RegExpMatchArray) => string;
}

/** PowerShell takes -, / and the Unicode dashes that obfuscators substitute for "-". */
const SWITCH = String.raw`(?<=^|[\s"'])[-/\u2013\u2014\u2015]`;

/** Switches are PowerShell's only when PowerShell runs: `ping -w 1` must not count. */
const POWERSHELL = /powershell|pwsh/i;

const SCRIPT_INTERPRETER = /(?:^|[\s\\/"'])(?:python[\d.]{0,4}w?|py|node|nodejs)(?:\.exe)?(?=[\s"']|$)/i;
const LOOP = /\bfor\b|\.(?:map|forEach)\(/;
const BYTE_OR_CHAR_CODE = /\b(?:ord|chr|bytes|bytearray)\(|\.charCodeAt\(|\bfromCharCode\(|\bUint8Array\b|\bBuffer\.from\(/;

/** A variable, call or subscript on either side of a binary `^`, so `'^abc'` regex anchors do not count. */
const XOR_OPERAND = String.raw`[\w.]{1,30}(?:\([^()]{0,30}\)|\[[^\[\]]{0,30}\])?`;

/** The identity permutation RC4 starts from: range(256), 0..255, i < 256, a 256-slot array. */
const RC4_STATE_INIT = /\brange\(\s{0,3}256\s{0,3}\)|\b0\s{0,3}\.\.\s{0,3}255\b|[\w\]]\s{0,3}<\s{0,3}256\b|\b(?:Array|Uint8Array|bytearray)\(\s{0,3}256\s{0,3}\)/g;

/** RC4's key scheduling: indices reduced modulo 256, or S[i], S[j] = S[j], S[i]. */
const RC4_MIXING = new RegExp(
  [
    String.raw`%\s{0,3}(?:256|0x100)\b`,
    String.raw`&\s{0,3}(?:255|0xff)\b`,
    String.raw`(?<box>[$\w]{1,20})\[(?<i>[^\[\]]{1,20})\]\s{0,3},\s{0,3}\k<box>\[(?<j>[^\[\]]{1,20})\]\s{0,3}\]?\s{0,3}=\s{0,3}\[?\s{0,3}\k<box>\[\k<j>\]\s{0,3},\s{0,3}\k<box>\[\k<i>\]`,
  ].join("|"),
  "i",
);

/** Classes of System.Security.Cryptography with a key and an IV, as PowerShell type literals. */
const DOTNET_SYMMETRIC_TYPES = [
  "Aes", "AesManaged", "AesCryptoServiceProvider", "AesCng",
  "Rijndael", "RijndaelManaged",
  "TripleDES", "TripleDESCryptoServiceProvider", "TripleDESCng",
  "DES", "DESCryptoServiceProvider",
  "RC2", "RC2CryptoServiceProvider",
  "SymmetricAlgorithm",
];

/** Name stems of the ciphers `openssl enc` offers (aes-256-cbc, des3, bf-cbc, rc4, chacha20...). */
const OPENSSL_CIPHER_FAMILIES = ["aes", "aria", "bf", "blowfish", "camellia", "cast", "chacha", "des", "idea", "rc2", "rc4", "rc5", "seed", "sm4"];

const RULES: readonly IndicatorRule[] = [
  {
    // -WindowStyle abbreviated to any prefix PowerShell accepts, with Hidden (or a prefix of it) or 1.
    // cmd's `start /min` is not flagged: minimised is still visible, and launchers use it routinely.
    id: "hidden-window",
    pattern: new RegExp(String.raw`${SWITCH}(?<switch>w[a-z]{0,10})\s{1,10}["']?(?<value>[a-z]{1,6}|1)(?![\w-])["']?`, "gi"),
    requires: [POWERSHELL],
    accept: (match) => isPrefixOf(match.groups!.switch, "windowstyle") && (match.groups!.value === "1" || isPrefixOf(match.groups!.value, "hidden")),
  },
  {
    // PowerShell resolves -e and -ec, and any longer prefix of -EncodedCommand, to -EncodedCommand.
    id: "encoded-command",
    pattern: new RegExp(String.raw`${SWITCH}(?<switch>e[a-z]{0,13})\s{1,10}["']?[a-z0-9+/]{8}[a-z0-9+/=]{0,60}["']?`, "gi"),
    requires: [POWERSHELL],
    accept: (match) => match.groups!.switch.toLowerCase() === "ec" || isPrefixOf(match.groups!.switch, "encodedcommand"),
  },
  {
    // A literal this long is a payload, not a short constant.
    id: "encoded-command",
    pattern: /FromBase64String\(\s{0,3}["'][a-z0-9+/]{40}[a-z0-9+/=]{0,20}/gi,
  },
  {
    id: "inline-crypto-class",
    pattern: new RegExp(
      String.raw`\b(?:System\.)?Security\.Cryptography\.[\w.]{1,60}|\[(?:${DOTNET_SYMMETRIC_TYPES.join("|")})\]|\bCreate(?:En|De)cryptor\b`,
      "gi",
    ),
  },
  {
    // -bxor is PowerShell-only syntax, so it needs no interpreter context.
    id: "xor-loop",
    pattern: /(?:[$\w\])]{1,30}\s{1,5})?-bxor\b(?:\s{1,10}[^\s;|)}'"]{1,30})?/gi,
  },
  {
    // `^` alone is too common (regex anchors, cmd escapes); it counts only inside a Python or
    // JavaScript loop that also converts bytes or character codes.
    id: "xor-loop",
    pattern: new RegExp(String.raw`${XOR_OPERAND}\s{0,3}\^=?\s{0,3}${XOR_OPERAND}`, "g"),
    requires: [SCRIPT_INTERPRETER, LOOP, BYTE_OR_CHAR_CODE],
  },
  {
    // Named RC4 used as code (ARC4.new(, rc4(, def rc4...), not a mention such as SCHANNEL\Ciphers\RC4 128/128.
    id: "rc4-routine",
    pattern: /\b(?:A?RC4|ARCFOUR)(?:\.new)?\s{0,3}\(|\b(?:def|function)\s{1,5}[\w-]{0,30}?(?:A?RC4|ARCFOUR)/gi,
  },
  {
    id: "rc4-routine",
    pattern: RC4_STATE_INIT,
    requires: [RC4_MIXING],
  },
  {
    id: "exec-base64",
    pattern: /\b(?:exec|eval|Function)\s{0,3}\([^;]{0,80}?\b(?:b64decode|b32decode|b16decode|b85decode|a85decode|decodebytes|atob)\s{0,3}\(/g,
  },
  {
    id: "exec-base64",
    pattern: /\b(?:iex|Invoke-Expression)\b/gi,
    requires: [/FromBase64String/i],
  },
  {
    // The Unix form: decode, then pipe straight into an interpreter.
    id: "exec-base64",
    pattern: /\bbase64\s{1,5}(?:-d\w{0,3}|--decode)\b[^|;&]{0,60}\|\s{0,3}(?:sudo\s{1,5})?(?:(?:ba|da|z|k)?sh|python[\d.]{0,4}|perl|php|ruby|node)\b/gi,
  },
  {
    // `openssl enc [options] -<cipher>` or the shorthand `openssl <cipher>`; `openssl enc -base64` encrypts nothing.
    id: "openssl-enc",
    pattern: new RegExp(
      String.raw`\bopenssl(?:\.exe)?["']?\s{1,5}(?:enc\s(?:[^|;&\r\n]{0,80}?\s)??-)?(?<cipher>(?:${OPENSSL_CIPHER_FAMILIES.join("|")})[a-z0-9-]{0,24})(?=[\s"']|$)`,
      "gi",
    ),
    qualifier: (match) => match.groups!.cipher.toLowerCase(),
  },
];

/** The indicators in a command line, in a fixed order, each at most once. */
export function findCommandLineIndicators(commandLine: string | null): CommandLineIndicator[] {
  if (!commandLine) return [];
  const found = new Map<CommandLineIndicatorId, CommandLineIndicator>();
  for (const rule of RULES) {
    if (found.has(rule.id)) continue;
    const indicator = applyRule(rule, commandLine);
    if (indicator) found.set(rule.id, indicator);
  }
  return INDICATOR_ORDER.flatMap((id) => found.get(id) ?? []);
}

function applyRule(rule: IndicatorRule, commandLine: string): CommandLineIndicator | null {
  if (rule.requires && !rule.requires.every((required) => required.test(commandLine))) return null;
  for (const match of commandLine.matchAll(rule.pattern)) {
    if (rule.accept && !rule.accept(match)) continue;
    const label = INDICATOR_LABELS[rule.id];
    return {
      id: rule.id,
      label: rule.qualifier ? `${label} (${rule.qualifier(match)})` : label,
      evidence: clipEvidence(match[0]),
    };
  }
  return null;
}

function isPrefixOf(abbreviation: string, word: string): boolean {
  return word.startsWith(abbreviation.toLowerCase());
}

/** Keeps both ends of a long excerpt: the start says what ran, the end is often the decisive part (the cipher). */
function clipEvidence(excerpt: string): string {
  if (excerpt.length <= EVIDENCE_MAX_LENGTH) return excerpt;
  const tailLength = EVIDENCE_MAX_LENGTH / 2;
  return `${excerpt.slice(0, EVIDENCE_MAX_LENGTH - tailLength - 1)}…${excerpt.slice(-tailLength)}`;
}
