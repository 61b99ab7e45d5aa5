import "server-only";
import { z } from "zod";
import { databaseUrl } from "../database-url";

const envSchema = z.object({
  CW_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(256 * 1024 * 1024),
});

/** Environment read and validated once; a bad value stops the server with a clear message. */
export const env = {
  DATABASE_URL: databaseUrl(),
  ...envSchema.parse(process.env),
};
