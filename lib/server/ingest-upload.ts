import "server-only";
import { parseTelemetryFile, type RowError } from "../ingest/parse-telemetry-file";
import type { TelemetryFormat } from "../ingest/read-raw-rows";
import { prisma } from "./db";
import { runDetection } from "./run-detection";

export interface IngestResult {
  datasetId: string;
  fileName: string;
  format: TelemetryFormat;
  table: string;
  accepted: number;
  rejected: number;
  ignored: number;
  errors: RowError[];
}

const INSERT_CHUNK = 500;

/** Parses one uploaded file, stores it as a dataset in one transaction, then reruns detection. */
export async function ingestTelemetryText(fileName: string, text: string): Promise<IngestResult> {
  const parsed = parseTelemetryFile(text);
  const dataset = await prisma.$transaction(async (tx) => {
    const created = await tx.dataset.create({
      data: {
        fileName,
        format: parsed.format,
        tables: parsed.tables.join(","),
        accepted: parsed.events.length,
        rejected: parsed.rejected,
        ignored: parsed.ignored,
        errors: JSON.stringify(parsed.errors),
      },
    });
    for (let start = 0; start < parsed.events.length; start += INSERT_CHUNK) {
      await tx.telemetryEvent.createMany({
        data: parsed.events.slice(start, start + INSERT_CHUNK).map((event) => ({ ...event, datasetId: created.id })),
      });
    }
    return created;
  });
  await runDetection();
  return {
    datasetId: dataset.id,
    fileName,
    format: parsed.format,
    table: parsed.tables.join(", "),
    accepted: parsed.events.length,
    rejected: parsed.rejected,
    ignored: parsed.ignored,
    errors: parsed.errors,
  };
}
