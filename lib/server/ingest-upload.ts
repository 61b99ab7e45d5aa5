import "server-only";
import { randomUUID } from "node:crypto";
import type { TelemetryFormat } from "../ingest/read-raw-rows";
import { ApiError } from "./api-error";
import { detachedCopy } from "../ingest/detached-copy";
import { TelemetryFileError } from "../ingest/telemetry-file-error";
import { TelemetryStreamParser, type RowError, type UploadChunk } from "../ingest/telemetry-stream-parser";
import type { TelemetryEvent } from "../telemetry/telemetry-event";
import { prisma } from "./db";
import { recordDetectionChange } from "./detection-settings";
import { DatasetEventWriter } from "./event-batch-writer";
import { trackUpload } from "./dataset-store";
import { releaseDatasetEvents } from "./event-store";
import { sqliteConnection } from "./sqlite-connection";

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

/** Who uploaded, shown on the Datasets page: a username, `token:<name>`, or `cli:<OS user>`. */
export type Uploader = string;

/**
 * Parses one file as it arrives and stores it as a dataset, batch by batch. The dataset is
 * "running" until the last batch is in, and only complete datasets feed detection. If anything
 * fails (a refused file, a lost connection) its events are removed: a refused file leaves no
 * dataset, any other failure a failed one. A server killed mid-upload leaves a running dataset
 * that is cleaned up and marked failed (see dataset-store). Completing it records the change for
 * detection; running detection is the caller's: the server starts a background run, the CLI runs
 * it once after all its files.
 */
export async function ingestTelemetryStream(
  fileName: string,
  chunks: AsyncIterable<UploadChunk> | Iterable<UploadChunk>,
  uploadedBy: Uploader,
  // The upload page names its upload to follow it.
  { uploadId }: { uploadId?: string } = {},
): Promise<IngestResult> {
  // Tracked before its row exists: a clean-up reading the row meanwhile must see it as being stored.
  const datasetId = randomUUID().replaceAll("-", "");
  const untrack = trackUpload(datasetId);
  try {
    await prisma.dataset.create({ data: { id: datasetId, fileName, format: "unknown", tables: "", uploadedBy, uploadId, ownerPid: process.pid } }).catch((error: unknown) => {
      // The unique index decides, so two requests racing with one id cannot both pass a check.
      if ((error as { code?: string }).code === "P2002") {
        throw new ApiError(409, "upload_id_in_use", "This upload id already names another upload; send each upload with a new one.");
      }
      throw error;
    });
    return await storeDataset(datasetId, fileName, chunks);
  } finally {
    untrack();
  }
}

async function storeDataset(datasetId: string, fileName: string, chunks: AsyncIterable<UploadChunk> | Iterable<UploadChunk>): Promise<IngestResult> {
  const coverage = new CoverageTracker();
  const writer = new DatasetEventWriter(datasetId);
  const parser = new TelemetryStreamParser((events) => {
    writer.write(events);
    coverage.add(events);
  });
  let summary;
  let inserted;
  try {
    for await (const chunk of chunks) {
      parser.write(chunk);
      await writer.drain();
    }
    summary = parser.end();
    inserted = await writer.finish();
  } catch (error) {
    // Nothing of this dataset may still be in the writer's queue when its events are removed.
    await writer.settle();
    releaseDatasetEvents(datasetId, error instanceof TelemetryFileError ? "remove" : "mark-failed");
    throw error;
  }
  const completed = completeDataset(
    datasetId,
    {
      format: summary.format,
      tables: summary.tables.join(","),
      accepted: inserted,
      rejected: summary.rejected,
      ignored: summary.ignored,
      duplicates: summary.accepted - inserted,
      errors: JSON.stringify(summary.errors),
      ...coverage.result(),
    },
    coverage.deviceNames(),
  );
  if (!completed) {
    releaseDatasetEvents(datasetId, "mark-failed");
    throw new ApiError(409, "upload_interrupted", "The upload was marked failed while it was being stored (an interrupted-upload clean-up); upload it again.");
  }
  return {
    datasetId,
    fileName,
    format: summary.format,
    table: summary.tables.join(", "),
    accepted: inserted,
    rejected: summary.rejected,
    ignored: summary.ignored,
    duplicates: summary.accepted - inserted,
    errors: summary.errors,
  };
}

/**
 * Marks a running dataset complete and records the change for detection (the devices it holds
 * events of), in one transaction: an incremental run can never miss them. Only a dataset still
 * running completes: one marked failed meanwhile has had its events removed (false).
 */
function completeDataset(
  datasetId: string,
  fields: { format: string; tables: string; accepted: number; rejected: number; ignored: number; duplicates: number; errors: string; timeFrom: string | null; timeTo: string | null; devices: number },
  deviceNames: string[],
): boolean {
  const db = sqliteConnection();
  return db
    .transaction((): boolean => {
      const { changes } = db
        .prepare(
          `UPDATE "Dataset" SET "status" = 'complete', "format" = @format, "tables" = @tables, "accepted" = @accepted, "rejected" = @rejected, "ignored" = @ignored,
             "duplicates" = @duplicates, "errors" = @errors, "timeFrom" = @timeFrom, "timeTo" = @timeTo, "devices" = @devices
           WHERE "id" = @datasetId AND "status" = 'running'`,
        )
        .run({ ...fields, datasetId });
      if (changes === 0) return false;
      recordDetectionChange({ devices: deviceNames });
      return true;
    })
    .immediate();
}

/** A whole file already in memory (the CLI's demo data, tests). */
export function ingestTelemetryText(fileName: string, text: string, uploadedBy: Uploader): Promise<IngestResult> {
  return ingestTelemetryStream(fileName, [text], uploadedBy);
}

/** Time range and devices of a dataset, gathered batch by batch. */
class CoverageTracker {
  private from: string | null = null;
  private to: string | null = null;
  private readonly devices = new Set<string>();
  private readonly names = new Set<string>();

  add(events: TelemetryEvent[]): void {
    for (const event of events) {
      if (this.from === null || event.timestamp < this.from) this.from = event.timestamp;
      if (this.to === null || event.timestamp > this.to) this.to = event.timestamp;
      // Kept for the whole upload: a slice would keep its block of the upload alive (two for the time range are fine).
      const device = event.deviceId ?? event.deviceName;
      if (!this.devices.has(device)) this.devices.add(detachedCopy(device));
      if (!this.names.has(event.deviceName)) this.names.add(detachedCopy(event.deviceName));
    }
  }

  result() {
    return { timeFrom: this.from, timeTo: this.to, devices: this.devices.size };
  }

  /** The device names seen: detection groups by name, where the Datasets page counts DeviceId. */
  deviceNames(): string[] {
    return [...this.names];
  }
}
