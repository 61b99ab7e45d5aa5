"use client";

import { useId, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { formatTimestamp } from "@/components/ui/format";
import { sendApiRequest } from "@/components/ui/send-api-request";
import {
  CLASSIFICATION_LABELS,
  CLASSIFICATIONS,
  MAX_NOTE_CHARS,
  MAX_REASON_CHARS,
  STATUS_LABELS,
  TRIAGE_FIELD_LABELS,
  TRIAGE_STATUSES,
  type Classification,
  type TriageChange,
  type TriageDetail,
  type TriageStatus,
} from "@/lib/triage/triage-state";

interface Props {
  findingId: string;
  initial: TriageDetail;
  /** Usernames a finding may be assigned to. */
  assignees: string[];
  /** The edit permission: without it the panel only shows. */
  canEdit: boolean;
}

/** Text for a history value or an empty one. */
const shown = (value: string | null) => value ?? "—";

/** How history names a field's value: statuses and classifications by their labels. */
function historyValue(field: string, value: string | null): string {
  if (value === null) return "—";
  if (field === "status") return STATUS_LABELS[value as TriageStatus] ?? value;
  if (field === "classification") return CLASSIFICATION_LABELS[value as Classification] ?? value;
  return value;
}

/**
 * A finding's triage at the top of its page: status, the verdict and its reason when resolved,
 * assignee and tags, saved together; notes appended one at a time; and the history of changes.
 * Everything typed here is shown back as text.
 */
export function TriagePanel({ findingId, initial, assignees, canEdit }: Props) {
  const id = useId();
  const [triage, setTriage] = useState(initial);
  const [status, setStatus] = useState<TriageStatus>(initial.status);
  const [classification, setClassification] = useState<Classification | "">(initial.classification ?? "");
  const [reason, setReason] = useState(initial.reason ?? "");
  const [assignee, setAssignee] = useState(initial.assignee ?? "");
  const [tags, setTags] = useState(initial.tags.join(", "));
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string; about: "triage" | "note" } | null>(null);

  function adopt(next: TriageDetail) {
    setTriage(next);
    setStatus(next.status);
    setClassification(next.classification ?? "");
    setReason(next.reason ?? "");
    setAssignee(next.assignee ?? "");
    setTags(next.tags.join(", "));
  }

  /**
   * Only what the analyst changed here: a field left alone is not sent, so a change made meanwhile
   * (detection reopening the finding, another analyst's assignee or tags) is not undone.
   */
  function changedFields(): TriageChange {
    const tagList = tags
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
    const change: TriageChange = {};
    if (status !== triage.status) change.status = status;
    if (status === "resolved" && (classification || null) !== triage.classification) change.classification = classification || null;
    if (status === "resolved" && (reason.trim() || null) !== triage.reason) change.reason = reason.trim() || null;
    if ((assignee || null) !== triage.assignee) change.assignee = assignee || null;
    if (tagList.join(",").toLowerCase() !== triage.tags.join(",")) change.tags = tagList;
    return change;
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const change = changedFields();
    if (Object.keys(change).length === 0) {
      setBusy(false);
      return setMessage({ tone: "ok", text: "Nothing changed.", about: "triage" });
    }
    const result = await sendApiRequest<{ triage: TriageDetail }>(`/api/findings/${findingId}`, "PATCH", change);
    setBusy(false);
    if (!result.ok) return setMessage({ tone: "error", text: result.message, about: "triage" });
    adopt(result.body.triage);
    setMessage({ tone: "ok", text: "Triage saved.", about: "triage" });
  }

  async function addNote(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await sendApiRequest<{ triage: TriageDetail }>(`/api/findings/${findingId}/notes`, "POST", { text: note });
    setBusy(false);
    if (!result.ok) return setMessage({ tone: "error", text: result.message, about: "note" });
    setTriage(result.body.triage);
    setNote("");
    setMessage({ tone: "ok", text: "Note added.", about: "note" });
  }

  const messageFor = (about: "triage" | "note") =>
    message?.about === about ? (
      <p className={message.tone === "error" ? "field-error" : "muted"} role={message.tone === "error" ? "alert" : "status"}>
        {message.text}
      </p>
    ) : null;

  return (
    <section className="card triage-panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} style={{ marginTop: 0 }}>
        Triage <StatusBadge status={triage.status} />
        {triage.classification && <span className="muted"> {CLASSIFICATION_LABELS[triage.classification]}</span>}
      </h2>
      {triage.reopened && (
        <p className="notice notice-error" data-testid="reopened">
          {triage.reopened}
        </p>
      )}
      {canEdit ? (
        <form className="triage-form" onSubmit={save} noValidate>
          <label className="field">
            <span>Status</span>
            <select value={status} onChange={(event) => setStatus(event.target.value as TriageStatus)}>
              <StatusOptions />
            </select>
          </label>
          <label className="field">
            <span>Classification</span>
            <select value={classification} disabled={status !== "resolved"} onChange={(event) => setClassification(event.target.value as Classification | "")}>
              <option value="">{status === "resolved" ? "Choose…" : "Set when resolved"}</option>
              <ClassificationOptions />
            </select>
          </label>
          <label className="field triage-reason">
            <span>Reason</span>
            <input value={reason} maxLength={MAX_REASON_CHARS} disabled={status !== "resolved"} onChange={(event) => setReason(event.target.value)} />
          </label>
          <label className="field">
            <span>Assignee</span>
            <select value={assignee} onChange={(event) => setAssignee(event.target.value)}>
              <option value="">Unassigned</option>
              {triage.assignee && !assignees.includes(triage.assignee) && <option value={triage.assignee}>{triage.assignee} (cannot triage now)</option>}
              <AssigneeOptions assignees={assignees} />
            </select>
          </label>
          <label className="field">
            <span>Tags (comma-separated)</span>
            <input value={tags} onChange={(event) => setTags(event.target.value)} />
          </label>
          <button className="button" type="submit" disabled={busy}>
            Save triage
          </button>
          {messageFor("triage")}
        </form>
      ) : (
        <dl className="stats">
          <div>
            <dt>Assignee</dt>
            <dd>{shown(triage.assignee)}</dd>
          </div>
          <div>
            <dt>Tags</dt>
            <dd>{triage.tags.length > 0 ? triage.tags.join(", ") : "—"}</dd>
          </div>
          {triage.reason && (
            <div>
              <dt>Reason</dt>
              <dd>{triage.reason}</dd>
            </div>
          )}
        </dl>
      )}

      <h3 className="subheading">Notes</h3>
      {triage.notes.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ol className="triage-notes" aria-label="Notes">
          {triage.notes.map((entry, index) => (
            <li key={index}>
              <span className="muted">
                {entry.author}, {formatTimestamp(entry.at)} UTC
              </span>
              <p className="raw-text">{entry.text}</p>
            </li>
          ))}
        </ol>
      )}
      {canEdit && (
        <form className="note-form" onSubmit={addNote} noValidate>
          <label className="field">
            <span>Note</span>
            <textarea value={note} rows={3} maxLength={MAX_NOTE_CHARS} onChange={(event) => setNote(event.target.value)} />
          </label>
          <button className="button button-quiet" type="submit" disabled={busy || note.trim() === ""}>
            Add note
          </button>
          {messageFor("note")}
        </form>
      )}

      <details className="triage-history">
        <summary>History ({triage.history.length === 1 ? "1 change" : `${triage.history.length} changes`})</summary>
        {triage.history.length > 0 && (
          <table aria-label="Triage history">
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">Field</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {triage.history.map((entry, index) => (
                <tr key={index}>
                  <td className="nowrap mono">{formatTimestamp(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <td>{TRIAGE_FIELD_LABELS[entry.field] ?? entry.field}</td>
                  <td>{historyValue(entry.field, entry.from)}</td>
                  <td>{historyValue(entry.field, entry.to)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </section>
  );
}

/** The statuses, the assignable accounts and the classifications as a select's options (the panel's and the queue's bulk bar). */
export function StatusOptions() {
  return TRIAGE_STATUSES.map((value) => (
    <option key={value} value={value}>
      {STATUS_LABELS[value]}
    </option>
  ));
}

export function AssigneeOptions({ assignees }: { assignees: readonly string[] }) {
  return assignees.map((username) => (
    <option key={username} value={username}>
      {username}
    </option>
  ));
}

export function ClassificationOptions() {
  return CLASSIFICATIONS.map((value) => (
    <option key={value} value={value}>
      {CLASSIFICATION_LABELS[value]}
    </option>
  ));
}

const STATUS_TONES: Record<TriageStatus, "danger" | "warn" | "ok"> = { new: "danger", investigating: "warn", resolved: "ok" };

export function StatusBadge({ status }: { status: TriageStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}
