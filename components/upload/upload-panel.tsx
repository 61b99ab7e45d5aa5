"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { EventText } from "@/components/ui/event-text";

interface RowError {
  line: number | null;
  message: string;
}

type UploadState =
  | { status: "uploading"; name: string; sent: number; total: number; stored: number | null }
  | { status: "done"; name: string; table: string; format: string; accepted: number; rejected: number; ignored: number; duplicates: number; errors: RowError[] }
  | { status: "failed"; name: string; message: string; errors: RowError[] };

/** Uploads each chosen or dropped file to /api/ingest, one after another, with a result per file. */
export function UploadPanel() {
  const [results, setResults] = useState<UploadState[]>([]);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  // Cancel handles of uploads in flight (and queued ones), by result index.
  const cancels = useRef(new Map<number, () => void>());
  const inputId = useId();
  const busy = results.some((result) => result.status === "uploading");

  const update = (index: number, state: UploadState) => setResults((previous) => previous.map((result, i) => (i === index ? state : result)));

  async function uploadAll(files: File[]) {
    const offset = results.length;
    setResults((previous) => [...previous, ...files.map((file) => ({ status: "uploading" as const, name: file.name, sent: 0, total: file.size, stored: null }))]);
    const cancelled = new Set<number>();
    files.forEach((_, index) => cancels.current.set(offset + index, () => cancelled.add(offset + index)));
    let lastStarted = false;
    for (const [index, file] of files.entries()) {
      const at = offset + index;
      if (cancelled.has(at)) {
        update(at, { status: "failed", name: file.name, message: "Cancelled before it was sent.", errors: [] });
        continue;
      }
      // Every file but the last leaves detection to the last one: one run for the batch.
      const isLast = index === files.length - 1;
      const upload = uploadOne(file, isLast ? "now" : "later", ({ sent, stored }) => update(at, { status: "uploading", name: file.name, sent, total: file.size, stored }));
      cancels.current.set(at, upload.cancel);
      const outcome = await upload.outcome;
      update(at, outcome);
      cancels.current.delete(at);
      lastStarted = isLast && outcome.status === "done";
    }
    // The last file failed or was cancelled: asking for the status starts the run the others deferred.
    if (!lastStarted) await fetch("/api/detection").catch(() => null);
  }

  return (
    <>
      <div
        className="dropzone"
        data-active={dragging}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void uploadAll([...event.dataTransfer.files]);
        }}
      >
        <p style={{ marginTop: 0 }}>Drop Defender Advanced Hunting exports or Sysmon logs here (CSV, JSON, NDJSON, event XML, .evtx, gzip), or</p>
        <label htmlFor={inputId} className="button">
          Choose files
        </label>
        <input
          ref={inputRef}
          id={inputId}
          className="visually-hidden"
          type="file"
          multiple
          accept=".csv,.json,.ndjson,.jsonl,.txt,.xml,.evtx,.gz,text/csv,application/json,application/gzip,text/xml"
          aria-label="Telemetry files"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = "";
            if (files.length > 0) void uploadAll(files);
          }}
        />
        <p className="muted" style={{ marginBottom: 0 }}>
          Format and source are recognised from the content: Defender&apos;s DeviceImageLoadEvents, DeviceNetworkEvents and
          DeviceProcessEvents; Sysmon events 1, 3 and 7. Rows already stored are not stored twice. Detection reruns in the background once the chosen files are stored; Findings shows when it is done.
        </p>
      </div>

      {results.length > 0 && (
        <section aria-labelledby="upload-results-heading">
          <h2 id="upload-results-heading">Results</h2>
          <ul className="upload-results" aria-live="polite">
            {results.map((result, index) => (
              <li key={index} className={`notice ${result.status === "failed" ? "notice-error" : result.status === "done" ? "notice-ok" : ""}`} aria-label={`Upload result for ${result.name}`}>
                <strong className="mono">
                  <EventText text={result.name} />
                </strong>
                : <UploadSummary result={result} />
                {result.status === "uploading" && (
                  <button type="button" className="link-button" style={{ marginLeft: 8 }} aria-label={`Cancel upload of ${result.name}`} onClick={() => cancels.current.get(index)?.()}>
                    Cancel
                  </button>
                )}
              </li>
            ))}
          </ul>
          {!busy && results.some((result) => result.status === "done") && (
            <p>
              <Link href="/findings">View findings →</Link>
            </p>
          )}
        </section>
      )}
    </>
  );
}

function UploadSummary({ result }: { result: UploadState }) {
  if (result.status === "uploading") {
    const sending = result.sent < result.total;
    return (
      <span role="status">
        {sending ? `sending ${formatBytes(result.sent)} of ${formatBytes(result.total)}` : "sent; parsing and storing…"}
        {result.stored !== null && `, ${countOf(result.stored, "row")} stored so far`}{" "}
        <progress max={result.total || 1} value={result.sent} aria-label={`Upload progress of ${result.name}`} />
      </span>
    );
  }
  if (result.status === "failed") {
    return (
      <>
        <span>
          not stored. <EventText text={result.message} />
        </span>
        <RowErrors errors={result.errors} />
      </>
    );
  }
  return (
    <>
      <span>
        {result.table} ({result.format}): <strong>{countOf(result.accepted, "row")} stored</strong>, {result.rejected.toLocaleString("en-US")} rejected
        {result.duplicates > 0 ? `, ${countOf(result.duplicates, "row")} already stored` : ""}
        {result.ignored > 0 ? `, ${countOf(result.ignored, "row")} of other tables or events ignored` : ""}.
      </span>
      <RowErrors errors={result.errors} />
    </>
  );
}

function countOf(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}

function RowErrors({ errors }: { errors: RowError[] }) {
  if (errors.length === 0) return null;
  return (
    <ul className="error-list">
      {errors.map((error) => (
        <li key={`${error.line}-${error.message}`}>
          {error.line !== null && `line ${error.line}: `}
          <EventText text={error.message} />
        </li>
      ))}
    </ul>
  );
}

function formatBytes(bytes: number): string {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** A random name for one upload (crypto.randomUUID needs a secure context; a LAN server may be plain http). */
function newUploadId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** How often the page asks how many rows of an upload are stored (each batch of 5,000 adds to it). */
const STORED_POLL_MS = 1000;

/**
 * One file to /api/ingest over XMLHttpRequest, which (unlike fetch) reports upload progress:
 * bytes sent from the request, and rows stored by asking the server about the upload by its id
 * while the answer is pending (a large file keeps storing after its last byte is sent).
 */
function uploadOne(file: File, detection: "now" | "later", onProgress: (progress: { sent: number; stored: number | null }) => void): { outcome: Promise<UploadState>; cancel: () => void } {
  const request = new XMLHttpRequest();
  const uploadId = newUploadId();
  let sent = 0;
  let stored: number | null = null;
  const pollStored = setInterval(async () => {
    const answer = await fetch(`/api/uploads/${uploadId}`).catch(() => null);
    if (!answer?.ok) return;
    const progress = (await answer.json()) as { stored: number };
    if (request.readyState === XMLHttpRequest.DONE) return;
    stored = progress.stored;
    onProgress({ sent, stored });
  }, STORED_POLL_MS);
  const outcome = new Promise<UploadState>((resolve) => {
    const failed = (message: string) => resolve({ status: "failed", name: file.name, message, errors: [] });
    request.open("POST", `/api/ingest?detection=${detection}`);
    request.setRequestHeader("x-file-name", encodeURIComponent(file.name));
    request.setRequestHeader("content-type", "application/octet-stream");
    request.setRequestHeader("x-upload-id", uploadId);
    request.upload.onprogress = (event) => {
      sent = event.loaded;
      onProgress({ sent, stored });
    };
    request.onload = () => {
      let body: { error?: { message?: string; details?: { errors?: RowError[] } } } | null = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // not JSON: reported below by status
      }
      if (request.status >= 200 && request.status < 300 && body) resolve({ status: "done", name: file.name, ...(body as object) } as UploadState);
      else resolve({ status: "failed", name: file.name, message: body?.error?.message ?? `The server answered ${request.status}.`, errors: body?.error?.details?.errors ?? [] });
    };
    request.onerror = () => failed("The upload did not reach the server. Check the connection and try again.");
    // Once the whole file is sent the server finishes storing it regardless; say so.
    request.onabort = () =>
      failed(sent < file.size ? "Cancelled while sending: nothing from this file was stored." : "Cancelled after sending: the server may still store it; check Datasets.");
    request.send(file);
  }).finally(() => clearInterval(pollStored));
  return { outcome, cancel: () => request.abort() };
}
