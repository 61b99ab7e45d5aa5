import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { request } from "node:http";

// Runs first (files run in name order): it leaves the store empty again for the triage flow.
const PROCESS_EVENTS = [
  "Timestamp,DeviceName,ActionType,FileName,ProcessId,ProcessCommandLine",
  "2026-11-20T08:00:00Z,lab-01,ProcessCreated,cmd.exe,10,cmd.exe /c whoami",
  "2026-11-20T08:05:00Z,lab-02,ProcessCreated,notepad.exe,11,notepad.exe",
].join("\r\n");

test("uploading the same export twice stores it once, and datasets can be deleted with confirmation", async ({ page }) => {
  await page.goto("/upload");
  const file = { name: "processes.csv", mimeType: "text/csv", buffer: Buffer.from(PROCESS_EVENTS) };
  await page.getByLabel("Telemetry files").setInputFiles(file);
  const results = page.getByRole("listitem", { name: "Upload result for processes.csv" });
  await expect(results.first()).toContainText("DeviceProcessEvents (csv): 2 rows stored, 0 rejected.");
  await page.getByLabel("Telemetry files").setInputFiles(file);
  await expect(results.nth(1)).toContainText("0 rows stored, 0 rejected, 2 rows already stored.");

  await page.getByRole("link", { name: "Datasets" }).click();
  const table = page.getByRole("table", { name: "Datasets" });
  const rows = table.getByRole("row").filter({ hasText: "processes.csv" });
  await expect(rows).toHaveCount(2);
  // Newest first: the repeat stored nothing and counted two duplicates; it still covers the same devices and time.
  await expect(rows.nth(0).getByRole("cell")).toHaveText([
    "processes.csv",
    "complete",
    "DeviceProcessEvents",
    "csv",
    "0",
    "0",
    "0",
    "2",
    "2",
    "2026-11-20 08:00:00.000 – 2026-11-20 08:05:00.000",
    /\(admin\)/,
    "Delete",
  ]);
  await expect(rows.nth(1).getByRole("cell")).toHaveText([
    "processes.csv",
    "complete",
    "DeviceProcessEvents",
    "csv",
    "2",
    "0",
    "0",
    "0",
    "2",
    "2026-11-20 08:00:00.000 – 2026-11-20 08:05:00.000",
    /\(admin\)/,
    "Delete",
  ]);

  // The first upload stored both events, but the repeat holds them too: deleting the first removes none.
  await rows.nth(1).getByRole("button", { name: "Delete dataset processes.csv" }).click();
  const confirm = page.getByRole("group", { name: "Confirm deleting processes.csv" });
  await expect(confirm).toHaveText("Delete 0 events? (2 kept: other datasets hold them) Delete Cancel");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(rows).toHaveCount(2);

  // The newest first, then the last one left, which alone holds the two events then.
  for (const [remaining, removed] of [[1, "Delete 0 events?"], [0, "Delete 2 events?"]] as const) {
    await rows.first().getByRole("button", { name: "Delete dataset processes.csv" }).click();
    const confirmation = page.getByRole("group", { name: "Confirm deleting processes.csv" });
    await expect(confirmation).toHaveText(`${removed} Delete Cancel`);
    await confirmation.getByRole("button", { name: "Delete" }).click();
    await expect(rows).toHaveCount(remaining);
  }
  await expect(page.getByText("No datasets yet.")).toBeVisible();
});

test("the upload page shows progress per file and can cancel", async ({ page }) => {
  // Hold the server's answer so the in-between states can be seen; the route never reaches the server.
  let releaseAnswer!: () => void;
  const answerHeld = new Promise<void>((resolve) => (releaseAnswer = resolve));
  await page.route((url) => url.pathname === "/api/ingest", async (route) => {
    await answerHeld;
    await route.abort().catch(() => {});
  });
  await page.goto("/upload");
  await page.getByLabel("Telemetry files").setInputFiles({ name: "held.csv", mimeType: "text/csv", buffer: Buffer.from(PROCESS_EVENTS) });
  const result = page.getByRole("listitem", { name: "Upload result for held.csv" });
  await expect(result.getByRole("progressbar", { name: "Upload progress of held.csv" })).toBeVisible();
  await expect(result.getByRole("status")).toContainText(/sending|storing/);
  // While the answer is pending the page asks how many rows are stored (answered here for the held upload).
  await page.route("**/api/uploads/*", (route) => route.fulfill({ json: { datasetId: "held", status: "running", stored: 12345 } }));
  await expect(result.getByRole("status")).toContainText("12,345 rows stored so far");
  await result.getByRole("button", { name: "Cancel upload of held.csv" }).click();
  await expect(result).toContainText(/not stored\. Cancelled (while|after) sending/);
  await expect(result.getByRole("progressbar")).toHaveCount(0);
  releaseAnswer();
});

test("the datasets page follows an upload running elsewhere: its row count grows, then it completes", async ({ page, baseURL }) => {
  // A real upload over HTTP from outside the browser, sent in parts: the page must follow it on its own.
  const url = new URL("/api/ingest", baseURL);
  const rows = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `2026-11-21T00:00:00.${String(from + i).padStart(7, "0")}Z,far-01,ImageLoaded,m${from + i}.dll,${4000 + ((from + i) % 7)}\n`).join("");
  const uploadId = "e2e-long-upload-000001";
  // As a forwarder would send it: with an ingest token.
  const { secret } = (await (await page.request.post("/api/tokens", { data: { name: "far-forwarder" } })).json()) as { secret: string };
  const upload = request({
    hostname: url.hostname,
    port: url.port,
    path: url.pathname,
    method: "POST",
    headers: { "content-type": "text/csv", "x-file-name": "long-upload.csv", "x-upload-id": uploadId, authorization: `Bearer ${secret}` },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    upload.on("response", (response) => {
      let body = "";
      response.on("data", (part) => (body += part));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    upload.on("error", reject);
  });
  // More than one batch (5,000 events): the first batch is stored while the request stays open.
  upload.write("Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId\n" + rows(0, 6000));

  await page.goto("/datasets");
  const row = page.getByRole("table", { name: "Datasets" }).getByRole("row").filter({ hasText: "long-upload.csv" });
  await expect(row.getByRole("cell").nth(1)).toHaveText("running 5,000 rows so far");
  await expect(row.getByRole("cell").nth(4)).toHaveText("5,000");
  // Devices are counted when the upload completes: not shown as 0 meanwhile.
  await expect(row.getByRole("cell").nth(8)).toHaveText("…");
  // A running upload cannot be deleted (it is cancelled instead): no button, and the API refuses.
  await expect(row.getByRole("button")).toHaveCount(0);
  const { datasetId: runningId } = (await (await page.request.get(`/api/uploads/${uploadId}`)).json()) as { datasetId: string };
  const refused = await page.request.delete(`/api/datasets/${runningId}`);
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error.code).toBe("dataset_running");
  // The client that named the upload follows the same count.
  const progress = await page.request.get(`/api/uploads/${uploadId}`);
  expect(await progress.json()).toMatchObject({ status: "running", stored: 5000 });

  // The next batch arrives; the page, not reloaded, refreshes itself while an upload runs.
  upload.write(rows(6000, 11000));
  await expect(row.getByRole("cell").nth(4)).toHaveText("10,000");
  await expect(row.getByRole("cell").nth(1)).toHaveText("running 10,000 rows so far");

  upload.end(rows(11000, 11500));
  const { status, body } = await answer;
  expect(status).toBe(201);
  const { datasetId, accepted } = JSON.parse(body) as { datasetId: string; accepted: number };
  expect(accepted).toBe(11500);
  await expect(row.getByRole("cell").nth(1)).toHaveText("complete");
  await expect(row.getByRole("cell").nth(4)).toHaveText("11,500");
  await expect(row.getByRole("cell").nth(8)).toHaveText("1");
  expect(await (await page.request.get(`/api/uploads/${uploadId}`)).json()).toEqual({ datasetId, status: "complete", stored: 11500 });
  expect((await page.request.get("/api/uploads/not-an-upload-id-0000")).status()).toBe(404);
  expect((await page.request.get("/api/uploads/%3Cscript%3E")).status()).toBe(422);

  // Leave the store empty for the files that follow.
  expect((await page.request.delete(`/api/datasets/${datasetId}`)).status()).toBe(200);
});

test("a raw Sysmon .evtx uploads as collected: its datasets row, and its crypto-library loads with their processes", async ({ page }) => {
  try {
    await page.goto("/upload");
    // The UACME sample (../shared/samples, read in place): 530 records, 3 process creations and 511 image loads.
    await page.getByLabel("Telemetry files").setInputFiles(path.resolve("../shared/samples/sysmon-uacme-64.evtx"));
    const result = page.getByRole("listitem", { name: "Upload result for sysmon-uacme-64.evtx" });
    await expect(result).toContainText("Sysmon 1 (process create), Sysmon 7 (image loaded) (evtx): 514 rows stored, 0 rejected, 16 rows of other tables or events ignored.");

    await page.goto("/datasets");
    const row = page.getByRole("table", { name: "Datasets" }).getByRole("row").filter({ hasText: "sysmon-uacme-64.evtx" });
    await expect(row.getByRole("cell")).toHaveText([
      "sysmon-uacme-64.evtx",
      "complete",
      "Sysmon 1 (process create), Sysmon 7 (image loaded)",
      "evtx",
      "514",
      "0",
      "16",
      "0",
      "1",
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} – \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/,
      /\(admin\)/,
      "Delete",
    ]);
    await page.screenshot({ path: path.resolve("test-results/screens/datasets-evtx.png"), fullPage: true });

    // Its events, narrowed to the loads of bcrypt.dll: seven, by the processes UACME ran.
    await row.getByRole("link", { name: "Events of sysmon-uacme-64.evtx" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Events of sysmon-uacme-64.evtx");
    await expect(page.getByText(/^The first 500 of 514 matching events, in time order\./)).toBeVisible();
    const filter = page.getByRole("form", { name: "Filter events" });
    await filter.getByLabel("Kind").selectOption("image_load");
    await filter.getByLabel("File name (loaded or created)").fill("bcrypt.dll");
    await filter.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/kind=image_load&file=bcrypt\.dll/);
    await expect(page.getByText(/^7 matching events, in time order\./)).toBeVisible();
    const events = page.getByRole("table", { name: "Events" }).getByRole("row");
    await expect(events).toHaveCount(8);
    for (const index of [1, 2, 3, 4, 5, 6, 7]) {
      await expect(events.nth(index).getByRole("cell").nth(2)).toHaveText("Image load");
      await expect(events.nth(index).getByRole("cell").nth(8)).toHaveText(/\\bcrypt\.dll$/i);
    }
    const processes = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((index) => events.nth(index).getByRole("cell").nth(5).textContent()));
    // As evtx_dump.py lists them: Akagi64.exe, consent.exe four times, ieinstal.exe, dllhost.exe.
    expect(processes.map((name) => name?.toLowerCase()).sort()).toEqual(["akagi64.exe", "consent.exe", "consent.exe", "consent.exe", "consent.exe", "dllhost.exe", "ieinstal.exe"]);
    await page.screenshot({ path: path.resolve("test-results/screens/events-evtx.png"), fullPage: true });

    // Deleted as an admin does it.
    await page.goto("/datasets");
    await row.getByRole("button", { name: "Delete dataset sysmon-uacme-64.evtx" }).click();
    await page.getByRole("group", { name: "Confirm deleting sysmon-uacme-64.evtx" }).getByRole("button", { name: "Delete" }).click();
    await expect(row).toHaveCount(0);
  } finally {
    // The files that follow start from an empty store, even when a check above failed; a failure
    // here must not hide the one above, so it is only reported.
    await removeDatasetsNamed(page.request, "sysmon-uacme-64.evtx").catch((error: unknown) => console.warn(`Clean-up failed: ${String(error)}`));
  }
});

async function removeDatasetsNamed(request: APIRequestContext, fileName: string): Promise<void> {
  const datasets = (await (await request.get("/api/datasets")).json()) as { id: string; fileName: string }[];
  for (const dataset of datasets) if (dataset.fileName === fileName) await request.delete(`/api/datasets/${dataset.id}`);
}
