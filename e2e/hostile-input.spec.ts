/**
 * A hostile-input corpus through upload, detection and every page. Event strings are
 * attacker-controlled: markup, script URLs, SQL, formulas, bidi and control characters and
 * 100 KB command lines are stored and shown as text, never executed; files that cannot be read
 * (invalid UTF-8, NUL bytes, nesting bombs, 10,000 columns, a gzip bomb) get a clear 4xx and
 * leave nothing stored. The test fails on any dialog or page error.
 */
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { E2E_DATABASE_URL } from "./e2e-paths";

const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,InitiatingProcessCommandLine,InitiatingProcessAccountName,RemoteIP,RemotePort,RemoteIPType,RemoteUrl";

const SCRIPT_NAME = `<img src=x onerror="alert('name')">.exe`;
const HOSTILE_COMMAND_LINE = [
  `<script>alert('cmd')</script>`,
  `javascript:alert('url')`,
  `'; DROP TABLE "TelemetryEvent"; --`,
  `=HYPERLINK("http://198.51.100.1/x","click")`,
  `+cmd|' /C calc'!A0`,
  `inv\u202Eexe.pdf \u200B zero-width \u0085\u009B C1`,
  "A".repeat(100 * 1024),
].join(" ");
const HOSTILE_DEVICE = `ws-<b>bold</b>-'or'1'='1`;

function csvField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** A process that loads a crypto DLL and then beacons out: a finding in both modes, every string hostile. */
function hostileExport(): string {
  const rows = [HEADER];
  const common = (at: string, action: string, file: string) =>
    [at, csvField(HOSTILE_DEVICE), action, file, "6666", csvField(SCRIPT_NAME), csvField(HOSTILE_COMMAND_LINE), csvField("=cmd|'/c calc'!A1")];
  rows.push([...common("2026-11-24T05:00:00Z", "ImageLoaded", "bcrypt.dll"), "", "", "", ""].join(","));
  for (let minute = 1; minute <= 6; minute++) {
    rows.push([...common(`2026-11-24T05:0${minute}:00Z`, "ConnectionSuccess", ""), "198.51.100.66", "4444", "Public", csvField("javascript:alert('remoteurl')")].join(","));
  }
  return rows.join("\n");
}

function storedEventCount(): number {
  const db = new Database(E2E_DATABASE_URL.slice("file:".length), { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM "TelemetryEvent"`).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Fails the test on any dialog (alert, confirm) or uncaught page error. */
function guard(page: Page): string[] {
  const problems: string[] = [];
  page.on("dialog", async (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

test.describe.configure({ mode: "serial" });

test("unreadable files are refused with a clear 4xx and leave nothing stored", async ({ request }) => {
  const before = storedEventCount();
  const deep = 100_000;
  const cases: { name: string; body: Buffer | string; status: number; message: RegExp }[] = [
    { name: "invalid-utf8.csv", body: Buffer.concat([Buffer.from(`${HEADER}\n2026-11-24T05:00:00Z,ws-1,ImageLoaded,`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(".dll,1,a.exe,,,,,,,\n")]), status: 400, message: /not UTF-8 text/ },
    { name: "nul-bytes.csv", body: `${HEADER}\n2026-11-24T05:00:00Z,ws-1,ImageLoaded,a\u0000b.dll,1,a.exe,,,,,,\n`, status: 415, message: /binary/ },
    { name: "nested-array.json", body: "[".repeat(deep) + "]".repeat(deep), status: 400, message: /nests deeper than 64 levels/ },
    { name: "nested-results.json", body: `{"Schema":[],"Results":[${"{\"a\":".repeat(deep)}1${"}".repeat(deep)}]}`, status: 400, message: /nests deeper than 64 levels/ },
    { name: "wide.csv", body: `${Array.from({ length: 10_000 }, (_, i) => `Column${i}`).join(",")}\n${Array.from({ length: 10_000 }, () => "x").join(",")}\n`, status: 422, message: /not a Defender Advanced Hunting export/ },
    // 64 MiB of one repeated row gzip to a few hundred KiB: past the e2e server's 8 MiB limit once inflated, after batches were stored.
    { name: "bomb.csv.gz", body: gzipSync(`${HEADER}\n${"2026-11-24T05:00:00Z,bomb-1,ImageLoaded,a.dll,1,a.exe,,,,,,\n".repeat(1_200_000)}`), status: 413, message: /inflates to more than the upload limit/ },
  ];
  for (const { name, body, status, message } of cases) {
    const response = await request.post("/api/ingest", { headers: { "x-file-name": name }, data: body });
    const answer = await response.json();
    expect([name, response.status()]).toEqual([name, status]);
    expect(answer.error.message).toMatch(message);
    expect(JSON.stringify(answer)).not.toContain("    at ");
  }
  expect(storedEventCount()).toBe(before);
  const datasets = (await (await request.get("/api/datasets")).json()) as { fileName: string; status: string }[];
  // Refused outright: no dataset at all; refused after a batch: failed with its events gone.
  expect(datasets.filter((dataset) => cases.some((item) => item.name === dataset.fileName) && dataset.status !== "failed")).toEqual([]);
});

test("hostile strings go through upload, detection and every page as text", async ({ page, request }) => {
  const problems = guard(page);
  await page.goto("/upload");
  await page.getByLabel("Telemetry files").setInputFiles({ name: `<svg onload=alert('file')>.csv`, mimeType: "text/csv", buffer: Buffer.from(hostileExport()) });
  await expect(page.getByRole("listitem", { name: /Upload result for/ })).toContainText("7 rows stored, 0 rejected");

  // Every severity: the default queue leaves low findings out.
  await page.goto("/findings?severityRank=all");
  const table = page.getByRole("table", { name: "Flagged processes" });
  await expect(table).toContainText(SCRIPT_NAME);
  await expect(table).toContainText(HOSTILE_DEVICE);
  // The search box takes SQL as plain text.
  await page.getByLabel("Search findings").fill(`'; DROP TABLE "TelemetryEvent"; --`);
  await expect(table.getByRole("link", { name: SCRIPT_NAME })).toHaveCount(1);
  await table.getByRole("link", { name: SCRIPT_NAME }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(SCRIPT_NAME);
  await expect(page.locator("body")).toContainText("<script>alert('cmd')</script>");
  // Bidi and invisible characters are shown as their code points, in text isolated from its surroundings.
  const commandLine = page.locator("pre.raw-text").first();
  await expect(commandLine.locator(".hidden-char")).toHaveText(["U+202E", "U+200B", "U+0085", "U+009B"]);
  await expect(commandLine.locator("bdi.event-text")).toHaveCount(1);
  // No element was made from the strings, and no link points at a script URL.
  await expect(page.locator("img[src='x'], svg[onload]")).toHaveCount(0);
  await expect(page.locator("a[href^='javascript:']")).toHaveCount(0);

  await page.getByRole("region", { name: "Why it was flagged" }).getByRole("link").first().click();
  await expect(page.getByRole("table", { name: "Events" })).toContainText(SCRIPT_NAME);
  await expect(page.locator("a[href^='javascript:']")).toHaveCount(0);

  await page.goto("/findings?mode=kql");
  await expect(page.getByRole("table", { name: "Flagged processes (seed KQL mode)" })).toContainText(SCRIPT_NAME);
  await page.goto("/datasets");
  await expect(page.getByRole("table", { name: "Datasets" })).toContainText(`<svg onload=alert('file')>.csv`);
  await page.goto("/allowlists");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(problems).toEqual([]);

  // The API's JSON carries the strings as data.
  const exported = (await (await request.get("/api/findings?severity=all")).json()) as { process: { processName: string; commandLine: string } }[];
  const hostile = exported.filter((finding) => finding.process.processName === SCRIPT_NAME);
  expect(hostile.map((finding) => finding.process.commandLine)).toEqual([HOSTILE_COMMAND_LINE]);

  // The CSV export neutralises cells a spreadsheet would run (the account name is a formula).
  const csv = await (await request.get(`/api/findings?format=csv&severity=all&device=${encodeURIComponent(HOSTILE_DEVICE)}`)).text();
  const [, row] = csv.split("\n");
  expect(row).toContain(",'=cmd|'/c calc'!A1,");
  expect(row).not.toMatch(/(^|,)=/);

  // The Markdown report holds the strings only inside code.
  const [{ id }] = hostile as unknown as { id: string }[];
  const report = await (await request.get(`/api/findings/${id}/report`)).text();
  expect(report).toContain("`<img src=x onerror=\"alert('name')\">.exe`");
  expect(report.split("\n").filter((line) => line.includes("<img") && !/`[^`]*<img[^`]*`/.test(line))).toEqual([]);

  // Leave the store as it was.
  const datasets = (await (await request.get("/api/datasets")).json()) as { id: string; fileName: string }[];
  for (const dataset of datasets.filter((item) => item.fileName.startsWith("<svg"))) expect((await request.delete(`/api/datasets/${dataset.id}`)).status()).toBe(200);
  await expect.poll(async () => ((await (await request.get("/api/detection")).json()) as { pending: boolean }).pending, { timeout: 60_000 }).toBe(false);
});
