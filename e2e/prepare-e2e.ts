/**
 * Runs before the e2e server starts: a fresh, empty, migrated SQLite file and the demo exports
 * the tests upload through the page.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateDemoTelemetry } from "../lib/demo/generate-demo-telemetry";
import { toApiJson, toPortalCsv } from "../lib/demo/write-mde-export";
import { DEMO_DIR, E2E_DATABASE_URL, E2E_DIR } from "./e2e-paths";

rmSync(E2E_DIR, { recursive: true, force: true });
mkdirSync(DEMO_DIR, { recursive: true });
execFileSync("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: E2E_DATABASE_URL }, stdio: "inherit" });
const demo = generateDemoTelemetry();
writeFileSync(path.join(DEMO_DIR, "DeviceImageLoadEvents.csv"), toPortalCsv(demo.imageLoads));
writeFileSync(path.join(DEMO_DIR, "DeviceNetworkEvents.csv"), toPortalCsv(demo.network));
writeFileSync(path.join(DEMO_DIR, "DeviceProcessEvents.json"), toApiJson(demo.processes));
