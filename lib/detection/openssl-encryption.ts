/**
 * Whether an openssl command line encrypts or decrypts with a symmetric cipher (the openssl rule,
 * Atomic test 4: encrypt, then send with a network tool): `openssl enc -<cipher> …` or a cipher
 * command (`openssl aes-256-cbc …`). Base64 alone (`openssl enc -base64`, `openssl base64`) is an
 * encoding, and other commands (req, s_client, dgst) are not encryption.
 *
 * Pure: the command line is the argument.
 */

/** openssl's symmetric cipher names, as commands or `enc` options: aes-256-cbc, aes256, des3, des-ede3-cbc, bf-cbc, chacha20, … */
const CIPHER = /^(aes|aria|bf|blowfish|camellia|cast5?|chacha20|desx|des|idea|rc2|rc4|rc5|seed|sm4)([-\d]|$)/i;
const OPENSSL_IMAGE = /(^|[\\/])openssl(\.exe)?$/i;

export function isOpensslEncryption(commandLine: string): boolean {
  // Words, a quoted one (a path with spaces) as one.
  const words = (commandLine.match(/"[^"]*"|\S+/g) ?? []).map((word) => word.replace(/^"|"$/g, ""));
  // The image itself when the command line starts with it (Defender and Sysmon include it).
  const [command, ...options] = words.length > 0 && OPENSSL_IMAGE.test(words[0]) ? words.slice(1) : words;
  if (command === undefined) return false;
  if (command.toLowerCase() === "enc") return options.some((option) => option.startsWith("-") && CIPHER.test(option.slice(1)));
  return CIPHER.test(command);
}
