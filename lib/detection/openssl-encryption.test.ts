import { describe, expect, it } from "vitest";
import { isOpensslEncryption } from "./openssl-encryption";

describe("isOpensslEncryption", () => {
  it.each([
    "openssl enc -aes-256-cbc -salt -in secret.txt -out secret.enc -k hunter2",
    "openssl aes-256-cbc -in secret.txt -out secret.enc",
    "/usr/bin/openssl des3 -in a -out b",
    "OpenSSL.exe enc -e -chacha20 -in a -out b",
    "openssl enc -d -aes256 -in b -out a",
    "openssl bf-cbc -in a",
    "openssl enc -in a -out b -des-ede3-cbc",
    '"C:\\Program Files\\OpenSSL\\bin\\openssl.exe" camellia-256-cbc -in a',
  ])("recognises a cipher: %s", (commandLine) => {
    expect(isOpensslEncryption(commandLine)).toBe(true);
  });

  it.each([
    // Base64 is an encoding, not encryption.
    "openssl enc -base64 -in a -out b",
    "openssl enc -d -a -in b",
    "openssl base64 -in a",
    "openssl req -new -key key.pem -out req.csr",
    "openssl s_client -connect example.com:443",
    "openssl dgst -sha256 file",
    "openssl",
    "",
  ])("is not fooled by: %s", (commandLine) => {
    expect(isOpensslEncryption(commandLine)).toBe(false);
  });
});
