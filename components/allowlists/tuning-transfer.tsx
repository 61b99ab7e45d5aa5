"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import { EventText } from "@/components/ui/event-text";
import { isHidingList, type DetectionListName } from "@/lib/detection/detection-lists";
import { SAVED_AND_RERUNNING, SAVED_AND_SHOWN } from "./saved-message";

type Kind = "suppressions" | "lists";
type Format = "csv" | "json";
type Mode = "merge" | "replace";

interface LineError {
  line: number;
  message: string;
}

type Outcome = { tone: "ok"; text: string } | { tone: "error"; text: string; errors: LineError[] };

const KINDS: Record<Kind, { endpoint: string; noun: string; fileLabel: string }> = {
  suppressions: { endpoint: "/api/suppressions", noun: "suppressions", fileLabel: "Suppressions file (CSV or JSON)" },
  lists: { endpoint: "/api/allowlists", noun: "lists", fileLabel: "Lists file (CSV or JSON)" },
};

/** The most an import reads (TRANSFER_LIMITS.maxBytes on the server): a larger file is refused before it is sent. */
const MAX_BYTES = 5 * 1024 * 1024;

/** The file's format by its name, else by the type the browser gives it. */
function formatOf(file: File): Format | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".json")) return "json";
  return file.type === "text/csv" ? "csv" : file.type === "application/json" ? "json" : null;
}

const count = (n: number, noun: string) => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;

/** What a successful import says. */
function summary(kind: Kind, body: { added?: number; skipped?: number; removed?: number; lists?: DetectionListName[] }): string {
  const parts = [`${count(body.added ?? 0, kind === "suppressions" ? "suppression" : "value")} added`, `${(body.skipped ?? 0).toLocaleString("en-US")} skipped (already there)`];
  if (body.removed !== undefined) parts.push(`${body.removed.toLocaleString("en-US")} removed`);
  const done = `Imported: ${parts.join(", ")}.`;
  if (kind === "suppressions") return (body.added ?? 0) > 0 ? `${done} The findings they hide have left the queue.` : done;
  const changed = body.lists ?? [];
  if (changed.length === 0) return `${done} Nothing changed.`;
  return `${done} ${changed.some((list) => !isHidingList(list)) ? SAVED_AND_RERUNNING : SAVED_AND_SHOWN}`;
}

/**
 * Export and import of the suppressions or of the four lists, as CSV or JSON. Importing is all or
 * nothing: a file with a problem changes nothing, and each problem is listed with its line.
 * `canEdit` (the edit permission) enables the import; anyone who can read can export.
 */
export function TuningTransfer({ kind, canEdit }: { kind: Kind; canEdit: boolean }) {
  const router = useRouter();
  const id = useId();
  const { endpoint, noun, fileLabel } = KINDS[kind];
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<Mode>("merge");
  const [confirmingReplace, setConfirmingReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const fail = (text: string, errors: LineError[] = []) => setOutcome({ tone: "error", text, errors });

  async function send(chosen: File, format: Format) {
    setBusy(true);
    setOutcome(null);
    const query = new URLSearchParams(kind === "lists" ? { format, mode } : { format });
    let response: Response;
    try {
      response = await fetch(`${endpoint}/import?${query}`, {
        method: "POST",
        headers: { "content-type": format === "csv" ? "text/csv" : "application/json" },
        body: chosen,
      });
    } catch {
      setBusy(false);
      return fail("The server could not be reached: nothing was imported.");
    }
    const payload = await response.json().catch(() => null);
    setBusy(false);
    if (!response.ok) {
      const error = payload?.error as { message?: unknown; details?: { errors?: unknown } } | undefined;
      const errors = Array.isArray(error?.details?.errors) ? (error.details.errors as LineError[]) : [];
      return fail(typeof error?.message === "string" ? error.message : `The server answered ${response.status}: nothing was imported.`, errors);
    }
    setOutcome({ tone: "ok", text: summary(kind, payload ?? {}) });
    setFile(null);
    if (fileInput.current) fileInput.current.value = "";
    router.refresh();
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!canEdit || busy) return;
    if (file === null) return fail("Choose a file to import first.");
    const format = formatOf(file);
    if (format === null) return fail("Choose a .csv or .json file, as this page exports them.");
    if (file.size > MAX_BYTES) return fail(`The file is larger than ${MAX_BYTES / 1024 / 1024} MiB, the most an import reads.`);
    if (kind === "lists" && mode === "replace" && !confirmingReplace) return setConfirmingReplace(true);
    setConfirmingReplace(false);
    void send(file, format);
  }

  const hintId = `${id}-hint`;
  const modeHintId = `${id}-mode-hint`;
  return (
    <div role="group" aria-labelledby={`${id}-heading`}>
      <h3 className="subheading" id={`${id}-heading`}>
        Export and import {noun}
      </h3>
      <div className="row-actions">
        <a className="button button-quiet" href={`${endpoint}/export?format=csv`} download aria-label={`Export CSV of ${noun}`}>
          Export CSV
        </a>
        <a className="button button-quiet" href={`${endpoint}/export?format=json`} download aria-label={`Export JSON of ${noun}`}>
          Export JSON
        </a>
      </div>
      <form className="toolbar" style={{ marginTop: 10, marginBottom: 0 }} onSubmit={submit} noValidate aria-label={`Import ${noun}`}>
        <label className="field">
          <span>{fileLabel}</span>
          <input
            ref={fileInput}
            type="file"
            accept=".csv,.json,text/csv,application/json"
            disabled={!canEdit || busy}
            aria-describedby={hintId}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setConfirmingReplace(false);
              setOutcome(null);
            }}
          />
        </label>
        {kind === "lists" && (
          <label className="field">
            <span>Import mode</span>
            <select
              value={mode}
              disabled={!canEdit || busy}
              aria-describedby={modeHintId}
              onChange={(event) => {
                setMode(event.target.value as Mode);
                setConfirmingReplace(false);
              }}
            >
              <option value="merge">Merge (add what is missing)</option>
              <option value="replace">Replace (the file&apos;s lists become exactly its values)</option>
            </select>
          </label>
        )}
        {confirmingReplace ? (
          <span className="row-actions" role="group" aria-label="Confirm replacing lists">
            <span>Replace each list the file names? Values not in the file are removed.</span>
            <button type="submit" className="button button-danger" disabled={busy} autoFocus>
              Replace
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirmingReplace(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="submit" className="button" disabled={!canEdit || busy || file === null}>
            {busy ? "Importing…" : "Import"}
          </button>
        )}
      </form>
      <p id={hintId} className="muted" style={{ margin: "6px 0 0" }}>
        {canEdit
          ? [
              "All or nothing: a file with a problem changes nothing, and each problem is listed with its line.",
              kind === "suppressions" ? "Entries identical to one already stored are skipped; you are recorded as adding the rest." : null,
            ]
              .filter(Boolean)
              .join(" ")
          : "Analysts and admins can import."}
      </p>
      {kind === "lists" && (
        <p id={modeHintId} className="muted" style={{ margin: "2px 0 0" }}>
          Merge adds the values a list lacks. Replace makes each list the file names exactly its values (to empty a list, import JSON with an empty list).
        </p>
      )}
      <div role="status" aria-live="polite">
        {outcome?.tone === "ok" && <p className="muted">{outcome.text}</p>}
      </div>
      {outcome?.tone === "error" && (
        <div role="alert" className="notice notice-error">
          <EventText text={outcome.text} />
          {outcome.errors.length > 0 && (
            <ul className="error-list" aria-label="Problems in the file">
              {outcome.errors.map((error, index) => (
                <li key={index}>
                  line {error.line}: <EventText text={error.message} />
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
