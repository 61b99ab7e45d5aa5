"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { sendApiRequest, type ApiOutcome } from "@/components/ui/send-api-request";
import { validateAllowlistValue } from "@/lib/detection/allowlist-entry-schema";
import { DETECTION_LIST_LABELS, isHidingList, type DetectionListName } from "@/lib/detection/detection-lists";
import { SAVED_AND_RERUNNING, SAVED_AND_SHOWN } from "./saved-message";

interface Entry {
  id: string;
  value: string;
}

/** One detection list; `canEdit` (the edit permission) adds the add, edit and remove controls. */
export function AllowlistEditor({ list, entries, canEdit }: { list: DetectionListName; entries: Entry[]; canEdit: boolean }) {
  const router = useRouter();
  const labels = DETECTION_LIST_LABELS[list];
  const headingId = useId();
  const addErrorId = useId();
  const [newValue, setNewValue] = useState("");
  const [addError, setAddError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function apply(change: () => Promise<ApiOutcome<unknown>>, onError: (message: string) => void): Promise<boolean> {
    setBusy(true);
    setStatus(null);
    const result = await change();
    setBusy(false);
    if (!result.ok) {
      onError(result.message);
      return false;
    }
    setStatus(isHidingList(list) ? SAVED_AND_SHOWN : SAVED_AND_RERUNNING);
    router.refresh();
    return true;
  }

  async function add(event: React.FormEvent) {
    event.preventDefault();
    const validated = validateAllowlistValue(list, newValue, entries);
    if (!validated.ok) {
      setAddError(validated.message);
      return;
    }
    setAddError(null);
    const saved = await apply(() => sendApiRequest("/api/allowlists", "POST", { list, value: validated.value }), setAddError);
    if (saved) setNewValue("");
  }

  const inputLabel = `Add to ${labels.title}`;
  return (
    <section className="card list-editor" aria-labelledby={headingId}>
      <h2 id={headingId} style={{ marginTop: 0 }}>
        {labels.title} <span className="muted mono">{labels.kqlName}</span>
      </h2>
      <p className="muted" style={{ marginTop: 0 }}>
        {labels.help} {entries.length} value{entries.length === 1 ? "" : "s"}.
      </p>
      {entries.length === 0 ? (
        <p className="muted">This list is empty.</p>
      ) : (
        <ul aria-label={labels.title}>
          {entries.map((entry) =>
            canEdit ? (
              <EntryRow key={entry.id} list={list} entry={entry} siblings={entries} listTitle={labels.title} busy={busy} apply={apply} />
            ) : (
              <li key={entry.id}>
                <span className="value mono">{entry.value}</span>
              </li>
            ),
          )}
        </ul>
      )}
      {canEdit && (
        <form className="add-form" onSubmit={add} noValidate>
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor={`${headingId}-add`} className="visually-hidden">
              {inputLabel}
            </label>
            <input
              id={`${headingId}-add`}
              value={newValue}
              inputMode={list === "standardPorts" ? "numeric" : undefined}
              placeholder={`e.g. ${labels.example}`}
              aria-invalid={addError ? true : undefined}
              aria-describedby={addError ? addErrorId : undefined}
              onChange={(event) => {
                setNewValue(event.target.value);
                setAddError(null);
              }}
            />
            {addError && (
              <p id={addErrorId} className="field-error" role="alert">
                {addError}
              </p>
            )}
          </div>
          <button type="submit" className="button" disabled={busy} aria-label={inputLabel}>
            Add
          </button>
        </form>
      )}
      {status && (
        <p className="muted" role="status">
          {status}
        </p>
      )}
    </section>
  );
}

interface EntryRowProps {
  list: DetectionListName;
  entry: Entry;
  siblings: Entry[];
  listTitle: string;
  busy: boolean;
  apply: (change: () => Promise<ApiOutcome<unknown>>, onError: (message: string) => void) => Promise<boolean>;
}

function EntryRow({ list, entry, siblings, listTitle, busy, apply }: EntryRowProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(entry.value);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  async function save(event: React.FormEvent) {
    event.preventDefault();
    const validated = validateAllowlistValue(list, draft, siblings, entry.id);
    if (!validated.ok) {
      setError(validated.message);
      return;
    }
    if (await apply(() => sendApiRequest(`/api/allowlists/${entry.id}`, "PATCH", { value: validated.value }), setError)) setEditing(false);
  }

  if (editing) {
    return (
      <li>
        <form className="inline-form" onSubmit={save} noValidate>
          <div className="field" style={{ flex: 1 }}>
            <input
              aria-label={`New value for ${entry.value} in ${listTitle}`}
              value={draft}
              autoFocus
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              onChange={(event) => {
                setDraft(event.target.value);
                setError(null);
              }}
              onKeyDown={(event) => {
                if (event.key === "Escape") setEditing(false);
              }}
            />
            {error && (
              <p id={errorId} className="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
          <button type="submit" className="button" disabled={busy}>
            Save
          </button>
          <button type="button" className="button button-quiet" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      </li>
    );
  }
  return (
    <li>
      <span className="value mono">{entry.value}</span>
      <button type="button" className="link-button" aria-label={`Edit ${entry.value} in ${listTitle}`} onClick={() => { setDraft(entry.value); setError(null); setEditing(true); }}>
        Edit
      </button>
      <button
        type="button"
        className="link-button"
        style={{ color: "var(--danger)" }}
        disabled={busy}
        aria-label={`Remove ${entry.value} from ${listTitle}`}
        onClick={() => void apply(() => sendApiRequest(`/api/allowlists/${entry.id}`, "DELETE"), (message) => setError(message))}
      >
        Remove
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </li>
  );
}
