import path from "node:path";

/** The SQLite file used when DATABASE_URL is unset: under the project folder, git-ignored. */
export const DEFAULT_DATABASE_URL = "file:./data/cipherwatch.db";

/**
 * DATABASE_URL as a `file:` URL. A relative path is resolved against the working directory
 * (the project folder for every npm script), so the server, the CLI and the tests agree.
 */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  if (!url.startsWith("file:")) {
    throw new Error(`DATABASE_URL must be a SQLite file: URL, got "${url}"`);
  }
  return url;
}

/** The file system path a `file:` URL names (for creating its folder before first use). */
export function databaseFilePath(url: string): string {
  return path.resolve(url.slice("file:".length).replace(/\?.*$/, ""));
}
