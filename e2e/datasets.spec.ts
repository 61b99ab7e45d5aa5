import { expect, test } from "@playwright/test";

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
    "2",
    "2",
    "2026-11-20 08:00:00.000 – 2026-11-20 08:05:00.000",
    /\(web\)/,
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
    "2",
    "2026-11-20 08:00:00.000 – 2026-11-20 08:05:00.000",
    /\(web\)/,
    "Delete",
  ]);

  await rows.nth(1).getByRole("button", { name: "Delete dataset processes.csv" }).click();
  const confirm = page.getByRole("group", { name: "Confirm deleting processes.csv" });
  await expect(confirm).toContainText("Delete 2 events?");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(rows).toHaveCount(2);

  for (let remaining = 2; remaining > 0; remaining--) {
    await rows.first().getByRole("button", { name: "Delete dataset processes.csv" }).click();
    await page.getByRole("group", { name: "Confirm deleting processes.csv" }).getByRole("button", { name: "Delete" }).click();
    await expect(rows).toHaveCount(remaining - 1);
  }
  await expect(page.getByText("No datasets yet.")).toBeVisible();
});
