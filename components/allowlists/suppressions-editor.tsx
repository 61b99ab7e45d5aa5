"use client";

import { useRouter } from "next/navigation";
import { Fragment, useId, useState } from "react";
import { EventText } from "@/components/ui/event-text";
import { formatTimestamp } from "@/components/ui/format";
import { sendApiRequest } from "@/components/ui/send-api-request";
import type { SuppressionHistoryEntry, SuppressionView } from "@/lib/server/suppression-store";
import type { SuppressionConditions } from "@/lib/tuning/suppression";
import { EMPTY_DRAFT, type SuppressionDraft } from "@/lib/tuning/suppression-draft";

const CONDITION_FIELDS: { key: keyof SuppressionConditions; label: string; hint?: string }[] = [
  { key: "sha256", label: "SHA256" },
  { key: "processPath", label: "Process path", hint: "* matches anything" },
  { key: "processName", label: "Process name" },
  { key: "deviceName", label: "Device" },
  { key: "accountName", label: "Account" },
  { key: "remoteIp", label: "Remote IPs or CIDRs", hint: "comma-separated; every destination must be one" },
  { key: "remotePort", label: "Remote ports", hint: "comma-separated" },
  { key: "remoteDomain", label: "Remote domain", hint: "*.example.com: subdomains only" },
];

const list = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** The API's body for a draft; the server validates it (and says what is wrong). */
function bodyOf(draft: SuppressionDraft) {
  const conditions: Record<string, unknown> = {};
  for (const key of ["processName", "processPath", "sha256", "remoteDomain", "deviceName", "accountName"] as const) if (draft[key].trim()) conditions[key] = draft[key].trim();
  if (list(draft.remoteIp).length > 0) conditions.remoteIp = list(draft.remoteIp);
  if (list(draft.remotePort).length > 0) conditions.remotePort = list(draft.remotePort).map(Number);
  // A time the browser could not parse goes as typed: the server says what is wrong with it.
  const expiry = draft.expiresAt ? new Date(`${draft.expiresAt}Z`) : null;
  return { conditions, reason: draft.reason, expiresAt: expiry === null ? null : Number.isNaN(expiry.getTime()) ? draft.expiresAt : expiry.toISOString() };
}

/** An entry in the editor's fields, to edit it; the expiry in UTC as the field shows it. */
function draftOf(entry: SuppressionView): SuppressionDraft {
  const draft = { ...EMPTY_DRAFT, reason: entry.reason, expiresAt: entry.expiresAt ? new Date(entry.expiresAt).toISOString().slice(0, 16) : "" };
  for (const { key } of CONDITION_FIELDS) draft[key] = [entry.conditions[key] ?? []].flat().join(", ");
  return draft;
}

/**
 * An edit's body: the expiry only when it was changed, since the field shows minutes and sending
 * it back would move a stored expiry with seconds.
 */
function editBody(entry: SuppressionView, draft: SuppressionDraft) {
  const { expiresAt, ...body } = bodyOf(draft);
  return draft.expiresAt === draftOf(entry).expiresAt ? body : { ...body, expiresAt };
}

const HISTORY_CHANGES: Record<SuppressionHistoryEntry["change"], string> = { added: "Added", updated: "Changed", removed: "Removed" };

/** What an entry asks, in words. */
function describeConditions(conditions: SuppressionConditions): string {
  return CONDITION_FIELDS.filter(({ key }) => conditions[key] !== undefined)
    .map(({ key, label }) => `${label}: ${[conditions[key]].flat().join(", ")}`)
    .join("; ");
}

/**
 * Scoped suppressions: each entry, what it hides now, its expiry; an editor whose preview (what
 * would be hidden, what would come back) runs before saving. `initial` prefills it ("Suppress this").
 */
export function SuppressionsEditor({ entries, canEdit, initial }: { entries: SuppressionView[]; canEdit: boolean; initial: SuppressionDraft | null }) {
  const router = useRouter();
  const id = useId();
  const [draft, setDraft] = useState<SuppressionDraft>(initial ?? EMPTY_DRAFT);
  const [preview, setPreview] = useState<{ for: string; suppresses: number; restores: number } | null>(null);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  /** The entry the form edits; null while it adds one. */
  const [editing, setEditing] = useState<SuppressionView | null>(null);
  const [history, setHistory] = useState<{ id: string; entries: SuppressionHistoryEntry[] | null; error: string | null } | null>(null);
  const draftKey = JSON.stringify(bodyOf(draft));

  function startEdit(entry: SuppressionView) {
    setEditing(entry);
    setDraft(draftOf(entry));
    setPreview(null);
    setMessage(null);
    document.getElementById(`${id}-form`)?.scrollIntoView({ block: "nearest" });
  }

  function stopEdit() {
    setEditing(null);
    setDraft(EMPTY_DRAFT);
    setPreview(null);
  }

  async function toggleHistory(entry: SuppressionView) {
    if (history?.id === entry.id) return setHistory(null);
    setHistory({ id: entry.id, entries: null, error: null });
    const result = await sendApiRequest<{ history: SuppressionHistoryEntry[] }>(`/api/suppressions/${entry.id}`, "GET");
    setHistory((shown) => (shown?.id !== entry.id ? shown : result.ok ? { id: entry.id, entries: result.body.history, error: null } : { id: entry.id, entries: null, error: result.message }));
  }

  async function runPreview() {
    setBusy(true);
    const body = editing ? { ...editBody(editing, draft), replaces: editing.id } : bodyOf(draft);
    const result = await sendApiRequest<{ suppresses: string[]; restores: string[] }>("/api/suppressions/preview", "POST", body);
    setBusy(false);
    if (!result.ok) return setMessage({ tone: "error", text: result.message });
    setMessage(null);
    setPreview({ for: draftKey, suppresses: result.body.suppresses.length, restores: result.body.restores.length });
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = editing ? await sendApiRequest(`/api/suppressions/${editing.id}`, "PATCH", editBody(editing, draft)) : await sendApiRequest("/api/suppressions", "POST", bodyOf(draft));
    setBusy(false);
    if (!result.ok) return setMessage({ tone: "error", text: result.message });
    stopEdit();
    setHistory(null);
    setMessage({ tone: "ok", text: editing ? "Suppression changed: the queue follows it now." : "Suppression saved: the findings it hides have left the queue." });
    router.refresh();
  }

  async function remove(entry: SuppressionView) {
    const result = await sendApiRequest(`/api/suppressions/${entry.id}`, "DELETE");
    if (result.ok && editing?.id === entry.id) stopEdit();
    setMessage(result.ok ? { tone: "ok", text: "Suppression removed: the findings it alone hid are back." } : { tone: "error", text: result.message });
    router.refresh();
  }

  const field = (key: keyof SuppressionDraft, label: string, hint?: string, type = "text") => (
    <label className="field" key={key}>
      <span>
        {label}
        {hint && <span className="muted"> ({hint})</span>}
      </span>
      <input type={type} value={draft[key]} onChange={(event) => setDraft({ ...draft, [key]: event.target.value })} />
    </label>
  );
  const previewed = preview !== null && preview.for === draftKey;

  return (
    <section className="card" aria-labelledby={`${id}-heading`} id="suppressions">
      <h2 id={`${id}-heading`} style={{ marginTop: 0 }}>
        Suppressions
      </h2>
      <p className="muted" style={{ marginTop: 0 }}>
        An entry hides the findings that meet all its conditions, in both modes, at once and without a rerun. Remote conditions must hold for every
        destination a finding called, so a process that also calls somewhere else stays in the queue.
      </p>
      {entries.length === 0 ? (
        <p className="muted">No suppressions.</p>
      ) : (
        <div className="table-scroll">
          <table aria-label="Suppressions">
            <thead>
              <tr>
                <th scope="col">Conditions</th>
                <th scope="col">Reason</th>
                <th scope="col">Added</th>
                <th scope="col">Expires</th>
                <th scope="col" className="num" title="Findings of the current run this entry hides now, in both modes">
                  Hides now
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <Fragment key={entry.id}>
                <tr aria-current={editing?.id === entry.id ? "true" : undefined}>
                  <td>
                    <EventText text={describeConditions(entry.conditions)} />
                  </td>
                  <td>
                    <EventText text={entry.reason} />
                  </td>
                  <td className="nowrap">
                    {entry.createdBy}, {formatTimestamp(entry.createdAt)}
                  </td>
                  <td className="nowrap">{entry.expiresAt === null ? "never" : entry.expired ? <strong>expired {formatTimestamp(entry.expiresAt)}</strong> : formatTimestamp(entry.expiresAt)}</td>
                  <td className="num">
                    {entry.suppresses > 0 ? (
                      // The count spans both modes; the list opens the corrected mode's, every severity and status.
                      <a
                        href={`/findings?severityRank=all&status=all&suppressedBy=${entry.id}`}
                        aria-label={`Show what this entry hides: ${entry.suppresses} finding${entry.suppresses === 1 ? "" : "s"} in both modes`}
                      >
                        {entry.suppresses}
                      </a>
                    ) : (
                      0
                    )}
                  </td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="button button-quiet" aria-expanded={history?.id === entry.id} onClick={() => toggleHistory(entry)}>
                        History
                      </button>
                      {canEdit && (
                        <>
                          <button type="button" className="button button-quiet" onClick={() => startEdit(entry)}>
                            Edit
                          </button>
                          <button type="button" className="button button-danger" onClick={() => remove(entry)}>
                            Remove
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
                {history?.id === entry.id && (
                  <tr>
                    <td colSpan={6}>
                      <SuppressionHistory entries={history.entries} error={history.error} />
                    </td>
                  </tr>
                )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && (
        <form className="suppression-form" id={`${id}-form`} onSubmit={save} noValidate aria-label={editing ? "Edit a suppression" : "Add a suppression"}>
          <h3 className="subheading">{editing ? "Edit suppression" : "Add a suppression"}</h3>
          {editing && (
            <p className="muted" style={{ marginTop: 0 }}>
              Editing the entry added by {editing.createdBy} on {formatTimestamp(editing.createdAt)}. The preview counts what the change would hide and bring back.
            </p>
          )}
          <div className="settings-form">
            {CONDITION_FIELDS.map(({ key, label, hint }) => field(key, label, hint))}
            {field("reason", "Reason (required)")}
            {field("expiresAt", "Expires (UTC, optional)", undefined, "datetime-local")}
          </div>
          <div className="row-actions" style={{ marginTop: 10 }}>
            <button type="button" className="button button-quiet" disabled={busy} onClick={runPreview}>
              Preview
            </button>
            <button type="submit" className="button" disabled={busy || !previewed}>
              {editing ? "Save changes" : "Save suppression"}
            </button>
            {editing && (
              <button type="button" className="button button-quiet" onClick={stopEdit}>
                Cancel edit
              </button>
            )}
            {previewed && (
              <span role="status" data-testid="suppression-preview">
                Would hide {preview.suppresses === 1 ? "1 finding" : `${preview.suppresses} findings`} now listed
                {preview.restores > 0 ? `, and bring back ${preview.restores}` : ""}.
              </span>
            )}
            {!previewed && <span className="muted">Preview first: it shows what saving would hide.</span>}
          </div>
          {message && (
            <p className={message.tone === "error" ? "field-error" : "muted"} role={message.tone === "error" ? "alert" : "status"}>
              {message.text}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

/** An entry's changes, oldest first: who, when, and the entry after each change. */
function SuppressionHistory({ entries, error }: { entries: SuppressionHistoryEntry[] | null; error: string | null }) {
  if (error) return <p className="field-error" role="alert">{error}</p>;
  if (entries === null) return <p className="muted" role="status">Loading history…</p>;
  return (
    <ol className="history-list" aria-label="Suppression history">
      {entries.map((change, index) => {
        const state = change.after ?? change.before;
        return (
          <li key={index}>
            <span className="nowrap">
              {HISTORY_CHANGES[change.change]} by {change.actor}, {formatTimestamp(change.at)}
            </span>
            {state && (
              <>
                {": "}
                <EventText text={`${describeConditions(state.conditions)}; reason: ${state.reason}; expires: ${state.expiresAt ? formatTimestamp(state.expiresAt) : "never"}`} />
              </>
            )}
          </li>
        );
      })}
    </ol>
  );
}
