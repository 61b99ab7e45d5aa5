import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client";
import { env } from "./env";

// One client per process; Next's dev server reloads modules, so keep it on globalThis there.
const globalForPrisma = globalThis as unknown as { cipherwatchPrisma?: PrismaClient };

export const prisma =
  globalForPrisma.cipherwatchPrisma ?? new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: env.DATABASE_URL }) });

if (process.env.NODE_ENV !== "production") globalForPrisma.cipherwatchPrisma = prisma;
