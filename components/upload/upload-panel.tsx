"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";

interface RowError {
  line: number;
  message: string;
}

type UploadState =
  | { status: "uploading"; name: string }
  | { status: "done"; name: string; table: string; format: string; accepted: number; rejected: number; ignored: number; duplicates: number; errors: RowError[] }
  | { status: "failed"; name: string; message: string; errors: RowError[] };

/** Uploads each chosen or dropped file to /api/ingest, one after another, with a result per file. */
export function UploadPanel() {
  const [results, setResults] = useState<UploadState[]>([]);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const busy = results.some((result) => result.status === "uploading");

  async function uploadAll(files: File[]) {
    const offset = results.length;
    setResults((previous) => [...previous, ...files.map((file) => ({ status: "uploading" as const, name: file.name }))]);
    for (const [index, file] of files.entries()) {
      const outcome = await uploadOne(file);
      setResults((previous) => previous.map((result, i) => (i === offset + index ? outcome : result)));
    }
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
        <p style={{ marginTop: 0 }}>Drop Defender Advanced Hunting exports or Sysmon logs here (CSV, JSON, NDJSON, event XML, gzip), or</p>
        <label htmlFor={inputId} className="button">
          Choose files
        </label>
        <input
          ref={inputRef}
          id={inputId}
          className="visually-hidden"
          type="file"
          multiple
          accept=".csv,.json,.ndjson,.jsonl,.txt,.xml,.gz,text/csv,application/json,application/gzip,text/xml"
          aria-label="Telemetry files"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = "";
            if (files.length > 0) void uploadAll(files);
          }}
        />
        <p className="muted" style={{ marginBottom: 0 }}>
          Format and source are recognised from the content: Defender&apos;s DeviceImageLoadEvents, DeviceNetworkEvents and
          DeviceProcessEvents; Sysmon events 1, 3 and 7. Rows already stored are not stored twice. Detection reruns after each file.
        </p>
      </div>

      {results.length > 0 && (
        <section aria-labelledby="upload-results-heading">
          <h2 id="upload-results-heading">Results</h2>
          <ul className="upload-results" aria-live="polite">
            {results.map((result, index) => (
              <li key={index} className={`notice ${result.status === "failed" ? "notice-error" : result.status === "done" ? "notice-ok" : ""}`} aria-label={`Upload result for ${result.name}`}>
                <strong className="mono">{result.name}</strong>: <UploadSummary result={result} />
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
  if (result.status === "uploading") return <span role="status">uploading…</span>;
  if (result.status === "failed") {
    return (
      <>
        <span>not stored. {result.message}</span>
        <RowErrors errors={result.errors} />
      </>
    );
  }
  return (
    <>
      <span>
        {result.table} ({result.format}): <strong>{countOf(result.accepted, "row")} stored</strong>, {result.rejected.toLocaleString("en-US")} rejected
        {result.duplicates > 0 ? `, ${countOf(result.duplicates, "row")} already stored` : ""}
        {result.ignored > 0 ? `, ${countOf(result.ignored, "row")} of other tables ignored` : ""}.
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
          line {error.line}: {error.message}
        </li>
      ))}
    </ul>
  );
}

async function uploadOne(file: File): Promise<UploadState> {
  try {
    const response = await fetch("/api/ingest", {
      method: "POST",
      headers: { "x-file-name": encodeURIComponent(file.name), "content-type": "application/octet-stream", "x-cw-client": "web" },
      body: file,
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      return { status: "failed", name: file.name, message: body?.error?.message ?? `The server answered ${response.status}.`, errors: body?.error?.details?.errors ?? [] };
    }
    return { status: "done", name: file.name, ...body };
  } catch {
    return { status: "failed", name: file.name, message: "The upload did not reach the server. Check the connection and try again.", errors: [] };
  }
}
