import "server-only";
import { parseTelemetryFile, type RowError } from "../ingest/parse-telemetry-file";
import type { TelemetryFormat } from "../ingest/read-raw-rows";
import { prisma } from "./db";
import { insertDatasetEvents } from "./event-store";
import { runDetection } from "./run-detection";

export interface IngestResult {
  datasetId: string;
  fileName: string;
  format: TelemetryFormat;
  table: string;
  accepted: number;
  rejected: number;
  ignored: number;
  /** Rows already stored by an earlier upload: counted, not stored again. */
  duplicates: number;
  errors: RowError[];
}

/** Where an upload came from, shown on the Datasets page. */
export type UploadChannel = "web" | "api" | `cli:${string}`;

/**
 * Parses one uploaded file and stores it as a dataset: the dataset is created "running", its events
 * are written in one transaction, and only then is it marked complete. A crash or kill in between
 * leaves no events and a dataset that reads as failed. Detection reruns afterwards.
 */
export async function ingestTelemetryText(fileName: string, text: string, uploadedBy: UploadChannel = "api"): Promise<IngestResult> {
  const parsed = parseTelemetryFile(text);
  const dataset = await prisma.dataset.create({
    data: {
      fileName,
      format: parsed.format,
      tables: parsed.tables.join(","),
      rejected: parsed.rejected,
      ignored: parsed.ignored,
      errors: JSON.stringify(parsed.errors),
      uploadedBy,
    },
  });
  let stored: { inserted: number; duplicates: number };
  try {
    stored = insertDatasetEvents(dataset.id, parsed.events);
  } catch (error) {
    await prisma.dataset.update({ where: { id: dataset.id }, data: { status: "failed" } });
    throw error;
  }
  const times = parsed.events.map((event) => event.timestamp).sort();
  await prisma.dataset.update({
    where: { id: dataset.id },
    data: {
      status: "complete",
      accepted: stored.inserted,
      duplicates: stored.duplicates,
      timeFrom: times[0] ?? null,
      timeTo: times.at(-1) ?? null,
      devices: new Set(parsed.events.map((event) => event.deviceId ?? event.deviceName)).size,
    },
  });
  await runDetection();
  return {
    datasetId: dataset.id,
    fileName,
    format: parsed.format,
    table: parsed.tables.join(", "),
    accepted: stored.inserted,
    rejected: parsed.rejected,
    ignored: parsed.ignored,
    duplicates: stored.duplicates,
    errors: parsed.errors,
  };
}
