import "server-only";
import { z } from "zod";
import { prisma } from "./db";
import { ApiError } from "./api-error";
import { datasetEventImpact, releaseDatasetEvents, type ReleasedEvents } from "./event-store";
import { isProcessAlive } from "./process-alive";

// Datasets this process is storing now (registered by ingest-upload for the length of an upload).
const uploadsInProgress: Set<string> = ((globalThis as { cipherwatchUploads?: Set<string> }).cipherwatchUploads ??= new Set());

/** Marks a dataset as being stored by this process until the returned function is called. */
export function trackUpload(datasetId: string): () => void {
  uploadsInProgress.add(datasetId);
  return () => uploadsInProgress.delete(datasetId);
}

// Rows stored before owners were recorded: running from before this process started means cut off.
const PROCESS_STARTED_AT = new Date(Date.now() - process.uptime() * 1000);

/**
 * Whether a running upload was cut off: its process is gone (killed, restarted), or it is this
 * process and no longer being stored (its clean-up failed). Another live process's upload (the
 * CLI beside the server) is left alone.
 */
function wasCutOff({ id, ownerPid, createdAt }: { id: string; ownerPid: number | null; createdAt: Date }): boolean {
  if (ownerPid === null) return createdAt < PROCESS_STARTED_AT;
  if (ownerPid === process.pid) return !uploadsInProgress.has(id);
  return !isProcessAlive(ownerPid);
}

/** Removes what an interrupted upload stored (but what another dataset holds) and marks its dataset failed. */
export async function cleanUpInterruptedDatasets(): Promise<number> {
  const running = await prisma.dataset.findMany({ where: { status: "running" }, select: { id: true, ownerPid: true, createdAt: true } });
  const interrupted = running.filter(wasCutOff);
  for (const { id } of interrupted) releaseDatasetEvents(id, "mark-failed");
  return interrupted.length;
}

export const datasetIdSchema = z.string().min(1).max(64);

/** What a client may name its upload: its own random token, nothing that could collide with markup or paths. */
export const uploadIdSchema = z.string().regex(/^[A-Za-z0-9-]{16,64}$/, { error: "An upload id is 16 to 64 letters, digits or dashes." });

export interface UploadProgress {
  datasetId: string;
  status: DatasetView["status"];
  /** Rows stored so far (each committed batch adds to it). */
  stored: number;
}

/** How far the upload a client named has got; null before its dataset exists (or after a refused file left none). */
export async function uploadProgress(uploadId: string): Promise<UploadProgress | null> {
  const dataset = await prisma.dataset.findUnique({ where: { uploadId }, select: { id: true, status: true, accepted: true } });
  return dataset && { datasetId: dataset.id, status: dataset.status as DatasetView["status"], stored: dataset.accepted };
}

export interface DatasetView {
  id: string;
  fileName: string;
  format: string;
  tables: string[];
  accepted: number;
  rejected: number;
  ignored: number;
  duplicates: number;
  status: "running" | "complete" | "failed";
  uploadedBy: string;
  uploadedAt: string;
  timeFrom: string | null;
  timeTo: string | null;
  devices: number;
}

export async function listDatasets(): Promise<DatasetView[]> {
  await cleanUpInterruptedDatasets();
  const datasets = await prisma.dataset.findMany({ orderBy: { createdAt: "desc" } });
  return datasets.map((dataset) => ({
    id: dataset.id,
    fileName: dataset.fileName,
    format: dataset.format,
    tables: dataset.tables ? dataset.tables.split(",") : [],
    accepted: dataset.accepted,
    rejected: dataset.rejected,
    ignored: dataset.ignored,
    duplicates: dataset.duplicates,
    status: dataset.status as DatasetView["status"],
    uploadedBy: dataset.uploadedBy,
    uploadedAt: dataset.createdAt.toISOString(),
    timeFrom: dataset.timeFrom,
    timeTo: dataset.timeTo,
    devices: dataset.devices,
  }));
}

/**
 * What deleting a dataset would remove (events no other dataset holds) and keep; null when it
 * does not exist. A running upload cannot be deleted: it is cancelled instead.
 */
export async function datasetDeletionImpact(id: string): Promise<ReleasedEvents | null> {
  return (await deletableDataset(id)) !== null ? datasetEventImpact(id) : null;
}

/** Deletes a dataset and the events no other dataset holds; null when it did not exist. */
export async function deleteDataset(id: string): Promise<(ReleasedEvents & { fileName: string }) | null> {
  const dataset = await deletableDataset(id);
  if (!dataset) return null;
  return { ...(await releaseDatasetEvents(id, "remove")), fileName: dataset.fileName };
}

async function deletableDataset(id: string): Promise<{ fileName: string } | null> {
  const dataset = await prisma.dataset.findUnique({ where: { id }, select: { status: true, fileName: true } });
  if (dataset?.status === "running") {
    throw new ApiError(409, "dataset_running", "This upload is still running: cancel it on the Upload page (or let it finish) before deleting it.");
  }
  return dataset;
}
