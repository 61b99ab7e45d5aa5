/**
 * Accounts in the browser: signing in and landing on the page first asked for, a viewer who sees
 * no edit controls and is refused anyway, signing out, and a token an admin sees exactly once.
 */
import { expect, test } from "@playwright/test";
import { E2E_ACCOUNTS, storageStateOf } from "./e2e-paths";

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("an anonymous visitor is sent to sign in, then back to the page asked for", async ({ page }) => {
    await page.goto("/datasets?from=bookmark");
    await expect(page).toHaveURL(/\/login\?next=%2Fdatasets%3Ffrom%3Dbookmark$/);
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
    await page.getByLabel("Username").fill(E2E_ACCOUNTS.analyst.username);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong username or password.");

    await page.getByLabel("Password").fill(E2E_ACCOUNTS.analyst.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/datasets\?from=bookmark$/);
    await expect(page.getByRole("heading", { level: 1, name: "Datasets" })).toBeVisible();
    await expect(page.getByText("analyst · analyst")).toBeVisible();
  });

  test("a page asked for without a session cookie answers a plain redirect, with no data", async ({ request }) => {
    const answer = await request.get("/findings?severity=high", { maxRedirects: 0 });
    expect([answer.status(), answer.headers()["location"]]).toEqual([307, "/login?next=%2Ffindings%3Fseverity%3Dhigh"]);
  });

  test("signing out ends the session: pages send the visitor to sign in again", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Username").fill(E2E_ACCOUNTS.viewer.username);
    await page.getByLabel("Password").fill(E2E_ACCOUNTS.viewer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/allowlists");
    await expect(page).toHaveURL(/\/login\?next=%2Fallowlists$/);
    expect((await page.request.get("/api/settings")).status()).toBe(401);
  });

  test("a sign-in link cannot send the visitor to another site", async ({ page }) => {
    await page.goto("/login?next=//attacker.example/phish");
    await page.getByLabel("Username").fill(E2E_ACCOUNTS.viewer.username);
    await page.getByLabel("Password").fill(E2E_ACCOUNTS.viewer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateOf("viewer") });

  test("sees no edit controls, and a change tried anyway is refused on the server", async ({ page }) => {
    await page.goto("/allowlists");
    await expect(page.getByRole("heading", { level: 1, name: "Tuning" })).toBeVisible();
    await expect(page.getByRole("textbox")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /add|save|remove|edit/i })).toHaveCount(0);
    await page.goto("/upload");
    await expect(page.getByText("Your role (viewer) cannot upload telemetry.")).toBeVisible();
    await page.goto("/datasets");
    await expect(page.getByRole("button", { name: /delete/i })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Accounts" })).toHaveCount(0);
    await page.goto("/admin");
    await expect(page.getByText("Only admins can manage accounts.")).toBeVisible();

    const tried = await page.request.post("/api/allowlists", { data: { list: "excludedBrowsers", value: "viewer.exe" } });
    expect(tried.status()).toBe(403);
    expect(await tried.json()).toEqual({ error: { code: "forbidden", message: "The viewer role cannot change the allowlists or triage findings." } });
    expect((await page.request.put("/api/detection", { data: { asOf: null } })).status()).toBe(403);
  });
});

test("an admin creates an ingest token that is shown once, and it uploads", async ({ page }) => {
  await page.goto("/admin");
  await page.getByLabel("Token name").fill("siem-forwarder");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByTestId("new-token");
  await expect(shown).toHaveText(/^cw_\w{20,}$/);
  const secret = (await shown.textContent())!;
  await page.reload();
  await expect(page.getByRole("cell", { name: "siem-forwarder", exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  const upload = await page.request.post("/api/ingest", {
    headers: { authorization: `Bearer ${secret}`, "x-file-name": "forwarded.csv" },
    data: "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName\n2024-03-02T09:00:00Z,fwd-host,ImageLoaded,bcrypt.dll,9,fwd.exe\n",
  });
  expect(upload.status()).toBe(201);
  const { datasetId } = (await upload.json()) as { datasetId: string };
  expect((await page.request.delete(`/api/datasets/${datasetId}`)).status()).toBe(200);
});
