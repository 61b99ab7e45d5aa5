import "server-only";
import Database from "better-sqlite3";
import { databaseFilePath } from "../database-url";
import { env } from "./env";

/**
 * The bulk paths (events in, events out for detection, findings out) use better-sqlite3
 * directly: prepared statements in one transaction are all-or-nothing and far cheaper in time
 * and memory than Prisma's createMany for large batches. Prisma keeps every other query.
 *
 * Every raw connection (this one and the batch writer's): WAL lets Prisma's connection read while
 * a batch is being written; in WAL mode NORMAL still survives an application crash (only a power
 * cut can lose the last commits); 16 MiB of page cache is enough, as inserts into the identity
 * index stay local to each device.
 */
export const CONNECTION_PRAGMAS = ["journal_mode = WAL", "busy_timeout = 10000", "synchronous = NORMAL", "cache_size = -16384"] as const;

export function databaseFile(): string {
  return databaseFilePath(env.DATABASE_URL);
}

let connection: Database.Database | null = null;

/** The process's raw connection, opened on first use. */
export function sqliteConnection(): Database.Database {
  if (!connection) {
    connection = new Database(databaseFile());
    for (const pragma of CONNECTION_PRAGMAS) connection.pragma(pragma);
  }
  return connection;
}

/** A time as Prisma's SQLite adapter writes DateTime columns, so raw and Prisma writes read (and order) alike. */
export function storeTimestamp(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}
