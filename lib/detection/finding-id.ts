import { z } from "zod";

/** A finding's id: stable across runs (a hash of what identifies the flagged process). */
export const findingIdSchema = z.string().regex(/^[0-9a-f]{16}$/, { error: "Not a finding id." });
