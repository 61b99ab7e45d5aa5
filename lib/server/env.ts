import "server-only";
import { z } from "zod";
import { databaseUrl } from "../database-url";
import { parseAllowedHosts } from "../http/request-hygiene";

const envSchema = z.object({
  // Uploads are streamed, so the default can be large; it bounds the inflated size of gzip too.
  CW_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(8 * 1024 ** 3),
  // The detection process's V8 heap: a device with more events than fit is skipped and named (device-event-budget).
  CW_DETECTION_HEAP_MB: z.coerce.number().int().min(128).default(256),
  // Host names the server answers to besides localhost (a team's name for it), comma-separated.
  CW_ALLOWED_HOSTS: z.string().optional().transform(parseAllowedHosts),
  // Signs session cookies; when unset, one is generated and kept in the database.
  CW_AUTH_SECRET: z.string().min(32, "CW_AUTH_SECRET must be at least 32 characters").optional(),
  // Served over HTTPS (usually behind a reverse proxy): cookies get the Secure flag.
  CW_SECURE_COOKIES: z.enum(["true", "false"]).default("false").transform((value) => value === "true"),
  // Behind a reverse proxy: the client's address is the last X-Forwarded-For entry, which the proxy appends.
  CW_TRUST_PROXY: z.enum(["true", "false"]).default("false").transform((value) => value === "true"),
});

/** Environment read and validated once; a bad value stops the server with a clear message. */
export const env = {
  DATABASE_URL: databaseUrl(),
  ...envSchema.parse(process.env),
};
