import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client";
import { env } from "./env";
import { CONNECTION_PRAGMAS } from "./sqlite-connection";

/**
 * Prisma's adapter opens its own better-sqlite3 connection with the library's defaults; every
 * connection must share one configuration (WAL, one busy timeout, synchronous NORMAL), or a
 * clean-up on this connection fails with SQLITE_BUSY where the raw ones would have waited.
 */
class ConfiguredSQLite3Adapter extends PrismaBetterSQLite3 {
  async connect() {
    const adapter = await super.connect();
    await adapter.executeScript(CONNECTION_PRAGMAS.map((pragma) => `PRAGMA ${pragma};`).join("\n"));
    return adapter;
  }
}

// One client per process; Next's dev server reloads modules, so keep it on globalThis there.
const globalForPrisma = globalThis as unknown as { cipherwatchPrisma?: PrismaClient };

export const prisma = globalForPrisma.cipherwatchPrisma ?? new PrismaClient({ adapter: new ConfiguredSQLite3Adapter({ url: env.DATABASE_URL }) });

if (process.env.NODE_ENV !== "production") globalForPrisma.cipherwatchPrisma = prisma;
