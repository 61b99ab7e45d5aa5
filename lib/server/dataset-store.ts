import "server-only";
import { z } from "zod";
import { prisma } from "./db";
import { deleteDatasetEvents } from "./event-store";
import { runDetection } from "./run-detection";

// A dataset still "running" from before this process started was cut off mid-upload. The process's
// real start time, not this module's load time: a module loaded lazily during an upload must not
// mistake that upload for an interrupted one.
const PROCESS_STARTED_AT = new Date(Date.now() - process.uptime() * 1000);

/** Removes what an interrupted upload stored and marks its dataset failed. */
export async function cleanUpInterruptedDatasets(): Promise<number> {
  const interrupted = await prisma.dataset.findMany({ where: { status: "running", createdAt: { lt: PROCESS_STARTED_AT } }, select: { id: true } });
  for (const { id } of interrupted) {
    deleteDatasetEvents(id);
    await prisma.dataset.update({ where: { id }, data: { status: "failed" } });
  }
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

/** Deletes a dataset and its events, then reruns detection. False when it did not exist. */
export async function deleteDataset(id: string): Promise<boolean> {
  const [, deleted] = await prisma.$transaction([
    prisma.telemetryEvent.deleteMany({ where: { datasetId: id } }),
    prisma.dataset.deleteMany({ where: { id } }),
  ]);
  if (deleted.count === 0) return false;
  await runDetection();
  return true;
}
