import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { E2E_DATABASE_URL, storageStateOf } from "./e2e/e2e-paths";

// Debian's Chromium on CI and these machines (Playwright cannot download its own here);
// Playwright's bundled browser on a laptop that has one.
const DEBIAN_CHROMIUM = "/usr/bin/chromium";
const PORT = Number(process.env.E2E_PORT ?? 3217);
const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    ...devices["Desktop Chrome"],
    viewport: { width: 1440, height: 900 },
    launchOptions: existsSync(DEBIAN_CHROMIUM)
      ? {
          executablePath: DEBIAN_CHROMIUM,
          args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
        }
      : {},
  },
  projects: [
    { name: "sign-in", testMatch: /auth\.setup\.ts/ },
    {
      name: "dashboard",
      dependencies: ["sign-in"],
      // Signed in as admin, with the Origin a browser sends on this site's own requests (the CSRF
      // check asks it of cookie-authenticated changes); tests of other roles and refusals override both.
      use: { storageState: storageStateOf("admin"), extraHTTPHeaders: { origin: BASE_URL } },
    },
  ],
  webServer: {
    // A throwaway database per run, prepared before the server starts; the server as `npm start` runs it (heap limits included).
    command: `npx tsx e2e/prepare-e2e.ts && npm run start -- -H 127.0.0.1 -p ${PORT}`,
    url: `http://127.0.0.1:${PORT}/upload`,
    reuseExistingServer: false,
    timeout: 120_000,
    // Behind a "proxy": tests name the client's address in X-Forwarded-For (the login limit counts failures per address).
    env: { DATABASE_URL: E2E_DATABASE_URL, NEXT_TELEMETRY_DISABLED: "1", CW_MAX_UPLOAD_BYTES: String(8 * 1024 * 1024), CW_TRUST_PROXY: "true" },
  },
});
