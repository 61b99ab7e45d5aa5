import "server-only";
import { z } from "zod";

/** `?ids=1,2,3`: the events a finding's reason points at. Bounded: a reason lists at most 50. */
export const eventIdsSchema = z
  .string()
  .regex(/^\d+(,\d+)*$/, { error: "ids is a comma-separated list of event ids." })
  .transform((text) => [...new Set(text.split(",").map(Number))])
  .refine((ids) => ids.length <= 200, { error: "At most 200 ids at a time." });


/** `?dataset=<id>&kind=image_load&file=bcrypt.dll`: a dataset's events, narrowed (the Datasets page links here). */
export const datasetEventsQuerySchema = z.object({
  dataset: z.string().regex(/^[0-9a-z]{1,64}$/, { error: "dataset is a dataset id." }),
  kind: z.enum(["process", "network", "image_load", ""], { error: "kind is process, network or image_load." }).optional(),
  file: z.string().trim().max(260, { error: "file is a file name of at most 260 characters." }).optional(),
});

/** The most a dataset's events page lists (the first, in time order). */
export const DATASET_EVENTS_SHOWN = 500;
