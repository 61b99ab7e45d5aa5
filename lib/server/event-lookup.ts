import "server-only";
import { z } from "zod";
import { prisma } from "./db";

/** `?ids=1,2,3`: the events a finding's reason points at. Bounded: a reason lists at most 50. */
export const eventIdsSchema = z
  .string()
  .regex(/^\d+(,\d+)*$/, { error: "ids is a comma-separated list of event ids." })
  .transform((text) => [...new Set(text.split(",").map(Number))])
  .refine((ids) => ids.length <= 200, { error: "At most 200 ids at a time." });

export async function getEventsByIds(ids: number[]) {
  const events = await prisma.telemetryEvent.findMany({ where: { id: { in: ids } }, orderBy: { timeUs: "asc" }, include: { dataset: { select: { fileName: true } } } });
  return events.map(({ eventKey: _eventKey, dataset, ...event }) => ({ ...event, datasetFileName: dataset.fileName }));
}

export type EventView = Awaited<ReturnType<typeof getEventsByIds>>[number];
