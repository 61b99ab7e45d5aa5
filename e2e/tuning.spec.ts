/**
 * Tuning in the browser, on a small upload of its own (one process on each of two devices that
 * loads bcrypt.dll then calls 203.0.113.40:4444): the Suppressed filter of the list, an entry
 * that expires, what a viewer may do, and the import and export of suppressions and lists. It
 * leaves the store as it found it.
 */
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { detectionSettled } from "./e2e-api";
import { storageStateOf } from "./e2e-paths";

const SCREENSHOTS = path.resolve("test-results/screens");
const TUNING_CSV = [
  "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType",
  "2026-11-25T10:00:00Z,tn-alpha,ImageLoaded,bcrypt.dll,8001,tnagent.exe,,,",
  "2026-11-25T10:01:00Z,tn-alpha,ConnectionSuccess,,8001,tnagent.exe,203.0.113.40,4444,Public",
  "2026-11-25T10:00:00Z,tn-beta,ImageLoaded,bcrypt.dll,8101,tnagent.exe,,,",
  "2026-11-25T10:01:00Z,tn-beta,ConnectionSuccess,,8101,tnagent.exe,203.0.113.40,4444,Public",
].join("\n");

test.describe.configure({ mode: "serial" });

let datasetId: string;

test.beforeAll(async ({ request }) => {
  const upload = await request.post("/api/ingest?detection=now", { headers: { "x-file-name": "tuning-e2e.csv" }, data: TUNING_CSV });
  expect(upload.status()).toBe(201);
  datasetId = ((await upload.json()) as { datasetId: string }).datasetId;
  await detectionSettled(request);
});

test.afterAll(async ({ request }) => {
  // Leave the store as it was: no entry of this spec, no upload.
  for (const entry of (await (await request.get("/api/suppressions")).json()) as { id: string; reason: string }[]) {
    if (entry.reason.startsWith("Tuning spec")) expect((await request.delete(`/api/suppressions/${entry.id}`)).status()).toBe(200);
  }
  expect((await request.delete(`/api/datasets/${datasetId}`)).status()).toBe(200);
  await detectionSettled(request);
});

async function addSuppression(request: APIRequestContext, device: string, reason: string): Promise<string> {
  const response = await request.post("/api/suppressions", {
    data: { conditions: { processName: "tnagent.exe", deviceName: device, remoteIp: "203.0.113.40" }, reason, expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const listOf = (device: string) => `/findings?severityRank=all&device=${device}`;

test("the Suppressed filter hides, adds or isolates suppressed findings, and each says it is suppressed", async ({ page, request }) => {
  await addSuppression(request, "tn-beta", "Tuning spec: the beta agent");
  await page.goto(listOf("tn-beta"));
  const table = page.getByRole("table", { name: "Flagged processes" });
  await expect(page.locator(".row-count")).toHaveText(/^0 of \d+ findings$/);
  const suppressed = page.getByRole("combobox", { name: /^Suppressed/ });
  await expect(suppressed).toHaveValue("");
  await page.waitForLoadState("networkidle");
  await suppressed.selectOption("only");
  await expect(page).toHaveURL(/[?&]suppressed=only/);
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table.getByRole("row").nth(1)).toContainText("tnagent.exe");
  await expect(table.getByRole("row").nth(1)).toContainText("suppressed");
  await suppressed.selectOption("include");
  await expect(table.getByRole("row")).toHaveCount(2);
  await suppressed.selectOption("");
  await expect(page.locator(".row-count")).toHaveText(/^0 of \d+ findings$/);
});

test("an entry that expires stops hiding at its time and is shown as expired", async ({ page, request }) => {
  const id = await addSuppression(request, "tn-alpha", "Tuning spec: the alpha agent until now");
  await page.goto(listOf("tn-alpha"));
  await expect(page.locator(".row-count")).toHaveText(/^0 of \d+ findings$/);

  // Its expiry moved to a second ago.
  const expiresAt = new Date(Date.now() - 1000).toISOString();
  expect((await request.patch(`/api/suppressions/${id}`, { data: { expiresAt } })).status()).toBe(200);
  await page.goto("/allowlists");
  const row = page.getByRole("table", { name: "Suppressions" }).getByRole("row").filter({ hasText: "the alpha agent until now" });
  await expect(row.getByRole("cell").nth(3)).toHaveText(/^expired \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  await expect(row.getByRole("cell").nth(4)).toHaveText("0");
  await page.screenshot({ path: path.join(SCREENSHOTS, "suppression-expired.png"), fullPage: true });
  await page.goto(listOf("tn-alpha"));
  await expect(page.getByRole("table", { name: "Flagged processes" }).getByRole("row").nth(1)).toContainText("tnagent.exe");
});

test("a viewer reads the suppressions and their history but cannot add, edit or remove one", async ({ browser }) => {
  const viewer = await browser.newContext({ storageState: storageStateOf("viewer") });
  const page = await viewer.newPage();
  await page.goto("/allowlists");
  const entries = page.getByRole("table", { name: "Suppressions" });
  const beta = entries.getByRole("row").filter({ hasText: "the beta agent" });
  await expect(beta).toHaveCount(1);
  await expect(entries.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await expect(entries.getByRole("button", { name: "Remove" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Add a suppression" })).toHaveCount(0);
  await page.waitForLoadState("networkidle");
  await beta.getByRole("button", { name: "History" }).click();
  await expect(page.getByRole("list", { name: "Suppression history" }).getByRole("listitem")).toHaveCount(1);
  const id = (((await (await page.request.get("/api/suppressions")).json()) as { id: string; reason: string }[]).find((entry) => entry.reason === "Tuning spec: the beta agent"))!.id;
  const refused = await page.request.patch(`/api/suppressions/${id}`, { data: { reason: "viewer was here" }, headers: { origin: new URL(page.url()).origin } });
  expect(refused.status()).toBe(403);
  await viewer.close();
});

test("suppressions export as JSON and CSV, and import from a file all or nothing, a bad line named", async ({ page, request }) => {
  const json = (await (await request.get("/api/suppressions/export?format=json")).json()) as { format: string; version: number; suppressions: { reason: string; conditions: object }[] };
  expect([json.format, json.version]).toEqual(["cipherwatch-suppressions", 1]);
  expect(json.suppressions.find((entry) => entry.reason === "Tuning spec: the beta agent")?.conditions).toEqual({ processName: "tnagent.exe", deviceName: "tn-beta", remoteIp: ["203.0.113.40"] });
  const csv = await request.get("/api/suppressions/export?format=csv");
  expect(csv.headers()["content-disposition"]).toBe('attachment; filename="cipherwatch-suppressions.csv"');
  expect((await csv.text()).split(/\r?\n/)[0]).toBe("processName,processPath,sha256,remoteIp,remotePort,remoteDomain,deviceName,accountName,reason,expiresAt,createdBy,createdAt");

  await page.goto("/allowlists");
  await page.waitForLoadState("networkidle");
  const form = page.getByRole("form", { name: "Import suppressions" });
  const header = "processName,deviceName,remoteIp,reason";
  const good = "tnagent.exe,tn-alpha,203.0.113.40,Tuning spec: imported";
  await form.getByLabel("Suppressions file (CSV or JSON)").setInputFiles({ name: "tuning.csv", mimeType: "text/csv", buffer: Buffer.from([header, good, "tnagent.exe,tn-alpha,0.0.0.0/0,Tuning spec: everything"].join("\n")) });
  await form.getByRole("button", { name: "Import" }).click();
  const problems = page.getByRole("list", { name: "Problems in the file" });
  await expect(problems.getByRole("listitem")).toHaveText(["line 3: remoteIp: A CIDR block is at least /8 (IPv4) or /16 (IPv6; an IPv4-mapped block /104)."]);
  const entries = page.getByRole("table", { name: "Suppressions" });
  await expect(entries.getByRole("row").filter({ hasText: "Tuning spec: imported" })).toHaveCount(0);

  await form.getByLabel("Suppressions file (CSV or JSON)").setInputFiles({ name: "tuning.csv", mimeType: "text/csv", buffer: Buffer.from([header, good].join("\n")) });
  await form.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Imported:" })).toHaveText("Imported: 1 suppression added, 0 skipped (already there). The findings they hide have left the queue.");
  const imported = entries.getByRole("row").filter({ hasText: "Tuning spec: imported" });
  await expect(imported).toContainText("admin");
  // tn-alpha's finding in each mode.
  await expect(imported.getByRole("cell").nth(4)).toHaveText("2");
  await page.screenshot({ path: path.join(SCREENSHOTS, "tuning-import.png"), fullPage: true });
});

test("the lists export as CSV and import merged from JSON", async ({ page, request }) => {
  const csv = (await (await request.get("/api/allowlists/export?format=csv")).text()).split(/\r?\n/);
  expect(csv[0]).toBe("list,value");
  expect(csv).toContain("cryptoLibraries,bcrypt.dll");

  await page.goto("/allowlists");
  await page.waitForLoadState("networkidle");
  const form = page.getByRole("form", { name: "Import lists" });
  const file = JSON.stringify({ format: "cipherwatch-lists", version: 1, lists: { excludedBrowsers: ["tnbrowser.exe", "chrome.exe"] } });
  await form.getByLabel("Lists file (CSV or JSON)").setInputFiles({ name: "lists.json", mimeType: "application/json", buffer: Buffer.from(file) });
  await expect(form.getByLabel("Import mode")).toHaveValue("merge");
  const imported = async () => ((await (await request.get("/api/allowlists")).json()) as { id: string; list: string; value: string }[]).filter((entry) => entry.value === "tnbrowser.exe");
  try {
    await form.getByRole("button", { name: "Import" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Imported:" })).toContainText("Imported: 1 value added, 1 skipped (already there).");
    expect((await imported()).map((entry) => entry.list)).toEqual(["excludedBrowsers"]);
  } finally {
    // The lists as they were, even when a check above failed (which a failure here must not hide).
    for (const entry of await imported().catch(() => [])) await request.delete(`/api/allowlists/${entry.id}`).catch(() => undefined);
  }
});
