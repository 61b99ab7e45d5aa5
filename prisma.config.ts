import { mkdirSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseFilePath, databaseUrl } from "./lib/database-url";

// The schema reads env("DATABASE_URL"); give it the project default when unset, so every
// prisma command works without configuration.
process.env.DATABASE_URL = databaseUrl();
// SQLite creates the file but not its folder.
mkdirSync(path.dirname(databaseFilePath(process.env.DATABASE_URL)), { recursive: true });

// Prisma's native schema engine cannot be downloaded here; the Wasm engine plus the
// better-sqlite3 adapter run migrations fully offline.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    return new PrismaBetterSQLite3({ url: databaseUrl() });
  },
});
