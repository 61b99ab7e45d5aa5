import "server-only";
import { z } from "zod";

/** `?ids=1,2,3`: the events a finding's reason points at. Bounded: a reason lists at most 50. */
export const eventIdsSchema = z
  .string()
  .regex(/^\d+(,\d+)*$/, { error: "ids is a comma-separated list of event ids." })
  .transform((text) => [...new Set(text.split(",").map(Number))])
  .refine((ids) => ids.length <= 200, { error: "At most 200 ids at a time." });

