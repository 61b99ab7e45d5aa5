/**
 * The overview, the landing page: empty before any finding, then the counts of a small upload of
 * its own (six processes that load bcrypt.dll then connect out, on three devices over two UTC
 * days), each count a link into the findings list. Self-sufficient, and it leaves the store as it
 * found it: the spec files after it (triage-flow) start from an empty store.
 */
import path from "node:path";
import { expect, test } from "@playwright/test";
import { detectionSettled, findingId } from "./e2e-api";

const SCREENSHOTS = path.resolve("test-results/screens");
const HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName,RemoteIP,RemotePort,RemoteIPType";

/** A process that loads bcrypt.dll, then connects to each address a minute apart: a finding (crypto load then connect). */
function cryptoProcess(device: string, pid: number, name: string, loadedAt: string, addresses: string[]): string[] {
  const start = Date.parse(loadedAt);
  return [
    `${loadedAt},${device},ImageLoaded,bcrypt.dll,${pid},${name},,,`,
    ...addresses.map((address, index) => {
      const [ip, port] = address.split(":");
      return `${new Date(start + (index + 1) * 60_000).toISOString()},${device},ConnectionSuccess,,${pid},${name},${ip},${port},Public`;
    }),
  ];
}

// First connections: two on 2026-11-24, four on 2026-11-25, all within the default 24 h lookback of the newest event.
const OVERVIEW_CSV = [
  HEADER,
  ...cryptoProcess("ov-alpha", 7001, "ovagent.exe", "2026-11-24T22:00:00Z", ["203.0.113.10:4444", "203.0.113.10:4445"]),
  ...cryptoProcess("ov-alpha", 7002, "ovsync.exe", "2026-11-25T01:00:00Z", ["203.0.113.10:4444"]),
  ...cryptoProcess("ov-alpha", 7003, "ovtool.exe", "2026-11-25T02:00:00Z", ["203.0.113.20:5555"]),
  ...cryptoProcess("ov-beta", 7101, "ovagent.exe", "2026-11-24T23:00:00Z", ["203.0.113.10:4444"]),
  ...cryptoProcess("ov-beta", 7102, "ovtool.exe", "2026-11-25T03:00:00Z", ["203.0.113.20:5555", "203.0.113.30:9001"]),
  ...cryptoProcess("ov-gamma", 7201, "ovagent.exe", "2026-11-25T04:00:00Z", ["203.0.113.30:9001"]),
].join("\n");

test.describe.configure({ mode: "serial" });

test("with no findings, the overview is the first page of the sidebar and points to the upload page", async ({ page, request }) => {
  await detectionSettled(request);
  await page.goto("/");
  await expect(page).toHaveTitle("Overview · Cipherwatch");
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link").first()).toHaveText("Overview");
  await expect(nav.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  const empty = page.locator(".overview-empty");
  await expect(empty).toContainText("No findings");
  await expect(empty.getByRole("link", { name: "Upload Defender exports" })).toHaveAttribute("href", "/upload");
});

test("the overview counts the run's findings by day, status, assignee, device, process and destination, each a link into the list", async ({ page, request }) => {
  const upload = await request.post("/api/ingest?detection=now", { headers: { "x-file-name": "overview-e2e.csv" }, data: OVERVIEW_CSV });
  expect(upload.status()).toBe(201);
  const { datasetId, accepted } = (await upload.json()) as { datasetId: string; accepted: number };
  expect(accepted).toBe(14);
  try {
    await detectionSettled(request);
    // ovsync.exe is being investigated by admin, ov-beta's ovtool.exe is admin's too, ov-gamma's finding is resolved.
    const triage = async (device: string, process: string, change: Record<string, string>) =>
      expect((await request.patch(`/api/findings/${await findingId(request, device, process)}`, { data: change })).status()).toBe(200);
    await triage("ov-alpha", "ovsync.exe", { status: "investigating", assignee: "admin" });
    await triage("ov-beta", "ovtool.exe", { assignee: "admin" });
    await triage("ov-gamma", "ovagent.exe", { status: "resolved", classification: "benign", reason: "Overview spec: expected activity." });

    await page.goto("/");
    for (const name of ["Findings per day by severity", "Open findings", "Top devices", "Top processes", "Top destinations"]) {
      await expect(page.getByRole("heading", { name, level: 2 })).toBeVisible();
    }
    const stats = page.locator("dl.overview-stats");
    await expect(stats.locator("div").filter({ hasText: /^Findings/ }).getByRole("link")).toHaveText("6");
    await expect(stats.locator("div").filter({ hasText: /^Open/ }).getByRole("link")).toHaveText("5");
    await expect(stats.locator("div").filter({ hasText: /^Open/ }).getByRole("link")).toHaveAttribute("href", "/findings?severityRank=all");

    // Every status by day of first connection; the severities depend on the fleet the earlier spec files left, so only their sum is checked.
    await expect(page.getByRole("img", { name: /^Findings per day by severity, by first connection \(UTC\), from 2026-11-24 to 2026-11-25 \(2 days\): 6 findings; / })).toBeVisible();
    await expect(page.locator(".overview-chart .recharts-bar-rectangle").first()).toBeVisible();
    const perDay = page.getByRole("table", { name: "Findings per day by severity" });
    await expect(perDay.getByRole("link", { name: "2 findings first seen 2026-11-24", exact: true })).toHaveAttribute("href", "/findings?status=all&severityRank=all&firstSeenFrom=2026-11-24&firstSeenTo=2026-11-25");
    await expect(perDay.getByRole("link", { name: "4 findings first seen 2026-11-25", exact: true })).toHaveAttribute("href", "/findings?status=all&severityRank=all&firstSeenFrom=2026-11-25&firstSeenTo=2026-11-26");

    // Open findings only from here on: ov-gamma's resolved finding is left out.
    await expect(page.getByRole("list", { name: "Open findings by status" }).getByRole("listitem")).toHaveText(["New 4", "Investigating 1"]);
    await expect(page.getByRole("list", { name: "Open findings by status" }).getByRole("link", { name: "Investigating" })).toHaveAttribute("href", "/findings?status=investigating&severityRank=all");
    const byAssignee = page.getByRole("list", { name: "Open findings by assignee" });
    await expect(byAssignee.getByRole("listitem")).toHaveText(["Unassigned 3", "admin 2"]);
    await expect(byAssignee.getByRole("link", { name: "Unassigned" })).toHaveAttribute("href", "/findings?assignee=none&severityRank=all");
    await expect(page.getByRole("list", { name: "Top devices by open findings" }).getByRole("listitem")).toHaveText(["ov-alpha 3", "ov-beta 2"]);
    await expect(page.getByRole("list", { name: "Top processes by open findings" }).getByRole("listitem")).toHaveText(["ovagent.exe 2", "ovtool.exe 2", "ovsync.exe 1"]);
    // By address: ovagent.exe on ov-alpha called 203.0.113.10 on two ports and counts once.
    const destinations = page.getByRole("list", { name: "Top destinations by open findings" });
    await expect(destinations.getByRole("listitem")).toHaveText(["203.0.113.10 3", "203.0.113.20 2", "203.0.113.30 1"]);
    await expect(destinations.getByRole("link", { name: "203.0.113.10" })).toHaveAttribute("href", "/findings?severityRank=all&destination=203.0.113.10");
    await page.screenshot({ path: path.join(SCREENSHOTS, "overview.png"), fullPage: true });
    await page.getByRole("button", { name: /theme/ }).click();
    await page.screenshot({ path: path.join(SCREENSHOTS, "overview-dark.png"), fullPage: true });
    await page.getByRole("button", { name: /theme/ }).click();

    // A top device opens the open queue of that device, every severity: as many findings as the overview counted.
    await page.getByRole("region", { name: "Top devices" }).getByRole("link", { name: "ov-alpha" }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/findings" && url.searchParams.get("device") === "ov-alpha" && url.searchParams.get("severityRank") === "all");
    await expect(page.locator(".row-count")).toHaveText("3 of 6 findings");
    const rows = page.getByRole("table", { name: "Flagged processes" }).getByRole("row");
    await expect(rows).toHaveCount(4); // header + 3
    for (const index of [1, 2, 3]) await expect(rows.nth(index)).toContainText("ov-alpha");

    // A destination and a day lead to as many findings as they count.
    await page.goto("/findings?severityRank=all&destination=203.0.113.10");
    await expect(page.locator(".row-count")).toHaveText("3 of 6 findings");
    await page.goto("/findings?status=all&severityRank=all&firstSeenFrom=2026-11-25&firstSeenTo=2026-11-26");
    await expect(page.locator(".row-count")).toHaveText("4 of 6 findings");
  } finally {
    // Leave the store as it was.
    expect((await request.delete(`/api/datasets/${datasetId}`)).status()).toBe(200);
    await detectionSettled(request);
  }
  await page.goto("/");
  await expect(page.locator(".overview-empty")).toContainText("No findings in the current detection run.");
});
