"use client";

import { useRouter } from "next/navigation";
import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { EventText } from "@/components/ui/event-text";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import type { DatasetView } from "@/lib/server/dataset-store";

const STATUS_TONE = { complete: "ok", running: "warn", failed: "danger" } as const;

/** Every dataset; `canDelete` (admins) adds a Delete control to each row. */
export function DatasetsTable({ datasets, canDelete }: { datasets: DatasetView[]; canDelete: boolean }) {
  if (datasets.length === 0) {
    return (
      <p className="notice">
        No datasets yet. <Link href="/upload">Upload Defender exports</Link> to start.
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table aria-label="Datasets">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Status</th>
            <th scope="col">Tables</th>
            <th scope="col">Format</th>
            <th scope="col" className="num">Stored</th>
            <th scope="col" className="num">Rejected</th>
            <th scope="col" className="num" title="Rows of tables, event ids or channels this product does not analyse">
              Ignored
            </th>
            <th scope="col" className="num">Already stored</th>
            <th scope="col" className="num">Devices</th>
            <th scope="col">Time range (UTC)</th>
            <th scope="col">Uploaded</th>
            {canDelete && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {datasets.map((dataset) => (
            <DatasetRow key={dataset.id} dataset={dataset} canDelete={canDelete} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DatasetRow({ dataset, canDelete }: { dataset: DatasetView; canDelete: boolean }) {
  const running = dataset.status === "running";
  return (
    <tr>
      <td className="mono">
        {dataset.status === "complete" ? (
          <Link href={`/events?dataset=${dataset.id}`} prefetch={false} aria-label={`Events of ${dataset.fileName}`}>
            <EventText text={dataset.fileName} />
          </Link>
        ) : (
          <EventText text={dataset.fileName} />
        )}
      </td>
      <td>
        <Badge tone={STATUS_TONE[dataset.status]}>{dataset.status}</Badge>
        {running && <span className="muted"> {formatNumber(dataset.accepted)} rows so far</span>}
      </td>
      {/* Only the stored count grows batch by batch; the rest is known when the upload completes. */}
      <td>{running ? <KnownAtEnd /> : dataset.tables.join(", ")}</td>
      <td>{running ? <KnownAtEnd /> : dataset.format}</td>
      <td className="num">{formatNumber(dataset.accepted)}</td>
      <td className="num">{running ? <KnownAtEnd /> : formatNumber(dataset.rejected)}</td>
      <td className="num">{running ? <KnownAtEnd /> : formatNumber(dataset.ignored)}</td>
      <td className="num">{running ? <KnownAtEnd /> : formatNumber(dataset.duplicates)}</td>
      <td className="num">{running ? <KnownAtEnd /> : formatNumber(dataset.devices)}</td>
      <td className="mono nowrap">
        {running ? <KnownAtEnd /> : dataset.timeFrom && dataset.timeTo ? `${formatTimestamp(dataset.timeFrom)} – ${formatTimestamp(dataset.timeTo)}` : "n/a"}
      </td>
      <td className="nowrap">
        {formatTimestamp(dataset.uploadedAt)} <span className="muted">({dataset.uploadedBy})</span>
      </td>
      {canDelete && <DeleteDatasetCell dataset={dataset} />}
    </tr>
  );
}

/** The Delete control, with a confirmation step. */
function DeleteDatasetCell({ dataset }: { dataset: DatasetView }) {
  const router = useRouter();
  const running = dataset.status === "running";
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [impact, setImpact] = useState<{ removedEvents: number; keptEvents: number } | null>(null);

  // The confirmation names what the delete removes: events another dataset also holds stay.
  async function confirm() {
    setError(null);
    setImpact(null);
    setConfirming(true);
    const response = await fetch(`/api/datasets/${dataset.id}`).catch(() => null);
    const body = await response?.json().catch(() => null);
    if (!response?.ok) {
      setConfirming(false);
      setError(body?.error?.message ?? "The dataset could not be read.");
      return;
    }
    setImpact(body.deletion);
  }

  async function remove() {
    setBusy(true);
    setError(null);
    const response = await fetch(`/api/datasets/${dataset.id}`, { method: "DELETE" }).catch(() => null);
    setBusy(false);
    if (!response?.ok) {
      const body = await response?.json().catch(() => null);
      setError(body?.error?.message ?? "The dataset could not be deleted.");
      return;
    }
    router.refresh();
  }

  // The confirmation wraps, so it stays in view beside the row instead of widening the table.
  return (
    <td className={confirming ? "confirm-cell" : "nowrap"}>
      {running ? (
        <span className="muted" title="Cancel a running upload on the Upload page, or let it finish, before deleting it">
          Running
        </span>
      ) : confirming ? (
        <span role="group" aria-label={`Confirm deleting ${dataset.fileName}`}>
          {impact === null ? (
            "Counting events…"
          ) : (
            <>
              Delete {formatNumber(impact.removedEvents)} events?
              {impact.keptEvents > 0 && <span className="muted"> ({formatNumber(impact.keptEvents)} kept: other datasets hold them)</span>}
            </>
          )}{" "}
          <button type="button" className="button button-danger" disabled={busy || impact === null} onClick={() => void remove()}>
            Delete
          </button>{" "}
          <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" className="link-button" style={{ color: "var(--danger)" }} aria-label={`Delete dataset ${dataset.fileName}`} onClick={() => void confirm()}>
          Delete
        </button>
      )}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </td>
  );
}

/** A column a running upload fills in only when it completes. */
function KnownAtEnd() {
  return (
    <span className="muted" title="Known when the upload completes">
      …
    </span>
  );
}
