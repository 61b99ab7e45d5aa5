import "server-only";
import { z } from "zod";
import { databaseUrl } from "../database-url";

const envSchema = z.object({
  // Uploads are streamed, so the default can be large; it bounds the inflated size of gzip too.
  CW_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(8 * 1024 ** 3),
});

/** Environment read and validated once; a bad value stops the server with a clear message. */
export const env = {
  DATABASE_URL: databaseUrl(),
  ...envSchema.parse(process.env),
};
