"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { EventText } from "@/components/ui/event-text";
import { formatTimestamp } from "@/components/ui/format";
import { sendApiRequest } from "@/components/ui/send-api-request";
import type { SuppressionView } from "@/lib/server/suppression-store";
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
  const draftKey = JSON.stringify(bodyOf(draft));

  async function runPreview() {
    setBusy(true);
    const result = await sendApiRequest<{ suppresses: string[]; restores: string[] }>("/api/suppressions/preview", "POST", bodyOf(draft));
    setBusy(false);
    if (!result.ok) return setMessage({ tone: "error", text: result.message });
    setMessage(null);
    setPreview({ for: draftKey, suppresses: result.body.suppresses.length, restores: result.body.restores.length });
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await sendApiRequest("/api/suppressions", "POST", bodyOf(draft));
    setBusy(false);
    if (!result.ok) return setMessage({ tone: "error", text: result.message });
    setDraft(EMPTY_DRAFT);
    setPreview(null);
    setMessage({ tone: "ok", text: "Suppression saved: the findings it hides have left the queue." });
    router.refresh();
  }

  async function remove(entry: SuppressionView) {
    const result = await sendApiRequest(`/api/suppressions/${entry.id}`, "DELETE");
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
                <th scope="col" className="num">
                  Hides now
                </th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
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
                  <td className="num">{entry.suppresses}</td>
                  {canEdit && (
                    <td>
                      <button type="button" className="button button-danger" onClick={() => remove(entry)}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && (
        <form className="suppression-form" onSubmit={save} noValidate aria-label="Add a suppression">
          <h3 className="subheading">Add a suppression</h3>
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
              Save suppression
            </button>
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
