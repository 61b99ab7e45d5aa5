"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { useRouter, useSearchParams } from "next/navigation";
import { findingHref } from "@/components/findings/finding-link";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { DataTable, type DataTablePage, type FacetFilter, type InputFilter } from "@/components/ui/data-table";
import { sendApiRequest } from "@/components/ui/send-api-request";
import { AssigneeOptions, ClassificationOptions, StatusOptions } from "@/components/findings/triage-panel";
import { MAX_REASON_CHARS, type Classification, type TriageBulkChange, type TriageStatus, type TriageSummary } from "@/lib/triage/triage-state";

type QueueRow = { id: string; triage: TriageSummary };

interface Props<Row extends QueueRow> {
  page: DataTablePage<Row>;
  columns: ColumnDef<Row, unknown>[];
  facets: FacetFilter[];
  moreFilters: (FacetFilter | InputFilter)[];
  caption: string;
  emptyMessage: React.ReactNode;
  /** Usernames a finding may be assigned to. */
  assignees: string[];
  currentUsername: string;
  /** The edit permission: selection, bulk actions and verdict shortcuts. */
  canEdit: boolean;
}

/** The keys of the queue; shown by `?`. */
const SHORTCUTS: [string, string][] = [
  ["j / k", "Next / previous finding"],
  ["Enter", "Open the finding"],
  ["x", "Select or unselect it"],
  ["i", "Set investigating"],
  ["n", "Set back to new"],
  ["a", "Assign to me"],
  ["t / f / b / s", "Resolve as true positive / false positive / benign / security testing (asks the reason)"],
  ["?", "Show these keys"],
];
const RESOLVE_KEYS: Record<string, Classification> = { t: "true_positive", f: "false_positive", b: "benign", s: "security_testing" };

/** A key pressed while typing in a field belongs to the field (a checkbox is not typed in: keys go on working after a click on one). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return target.type !== "checkbox" && target.type !== "radio";
  return target.isContentEditable || target.tagName === "SELECT" || target.tagName === "TEXTAREA";
}

/** Enter on a link, a button or a disclosure is theirs, not the queue's. */
function onControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("a, button, summary, input, select, textarea") !== null;
}

/**
 * A findings list as a triage queue: rows can be selected (a checkbox each, or `x`) for bulk
 * changes of status, verdict, assignee and tags; `j`/`k` move a visible cursor, `Enter` opens its
 * finding, and single keys set the common verdicts on the selection (or the cursor's row).
 */
export function FindingsQueue<Row extends QueueRow>({ page, columns, facets, moreFilters, caption, emptyMessage, assignees, currentUsername, canEdit }: Props<Row>) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const [cursor, setCursor] = useState<number | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [showKeys, setShowKeys] = useState(false);
  const [resolveAs, setResolveAs] = useState<Classification | null>(null);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const rows = page.rows;

  // Rows come again each time the page refreshes (every second while detection runs): the
  // selection keeps the findings still listed. Another list (filters, sort, page) starts afresh.
  const listQuery = searchParams.toString();
  useEffect(() => {
    const listed = new Set(rows.map((row) => row.id));
    setSelected((current) => new Set([...current].filter((id) => listed.has(id))));
    setCursor((current) => (current === null || rows.length === 0 ? null : Math.min(current, rows.length - 1)));
  }, [rows]);
  useEffect(() => {
    setSelected(new Set());
    setCursor(null);
  }, [listQuery]);

  const targets = useCallback((): string[] => (selected.size > 0 ? [...selected] : cursor !== null && rows[cursor] ? [rows[cursor].id] : []), [cursor, rows, selected]);

  const apply = useCallback(
    async (ids: string[], change: TriageBulkChange): Promise<boolean> => {
      if (ids.length === 0) {
        setMessage({ tone: "error", text: "Select findings first (x, or their checkboxes)." });
        return false;
      }
      setBusy(true);
      const result = await sendApiRequest("/api/findings", "PATCH", { ids, change });
      setBusy(false);
      if (!result.ok) {
        setMessage({ tone: "error", text: result.message });
        return false;
      }
      setMessage({ tone: "ok", text: `${ids.length === 1 ? "1 finding" : `${ids.length} findings`} updated.` });
      router.refresh();
      return true;
    },
    [router],
  );

  const toggle = useCallback((id: string) => {
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      // A held key repeats: one change per press.
      if (event.defaultPrevented || event.repeat || event.altKey || event.ctrlKey || event.metaKey || typingIn(event.target)) return;
      if (document.querySelector("dialog[open]")) return;
      const key = event.key;
      const move = (by: number) => setCursor((current) => Math.max(0, Math.min(rows.length - 1, current === null ? 0 : current + by)));
      if (key === "?") setShowKeys(true);
      else if (key === "j") move(1);
      else if (key === "k") move(-1);
      else if (key === "Enter" && cursor !== null && rows[cursor] && !onControl(event.target)) router.push(findingHref(rows[cursor].id, searchParams.toString()));
      else if (!canEdit) return;
      else if (key === "x" && cursor !== null && rows[cursor]) toggle(rows[cursor].id);
      else if (key === "i") void apply(targets(), { status: "investigating" });
      else if (key === "n") void apply(targets(), { status: "new" });
      else if (key === "a") void apply(targets(), { assignee: currentUsername });
      else if (key in RESOLVE_KEYS) setResolveAs(RESOLVE_KEYS[key]);
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [apply, canEdit, currentUsername, cursor, router, rows, searchParams, targets, toggle]);

  const allSelected = rows.length > 0 && rows.every((row) => selected.has(row.id));
  const withSelection = useMemo<ColumnDef<Row, unknown>[]>(
    () =>
      canEdit
        ? [
            {
              id: "select",
              enableSorting: false,
              meta: { className: "select-cell" },
              header: () => (
                <input
                  type="checkbox"
                  aria-label="Select every finding on this page"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((row) => row.id)))}
                />
              ),
              cell: ({ row }) => <input type="checkbox" aria-label={`Select finding ${row.index + 1}`} checked={selected.has(row.original.id)} onChange={() => toggle(row.original.id)} />,
            },
            ...columns,
          ]
        : columns,
    [allSelected, canEdit, columns, rows, selected, toggle],
  );

  return (
    <>
      <DataTable
        page={page}
        columns={withSelection}
        noun="finding"
        facets={facets}
        moreFilters={moreFilters}
        searchLabel="Search findings"
        caption={caption}
        emptyMessage={emptyMessage}
        activeRowIndex={cursor}
        beforeTable={
          canEdit && (
            <BulkBar
              count={selected.size}
              assignees={assignees}
              busy={busy}
              message={message}
              resolveAs={resolveAs}
              onResolveAsHandled={() => setResolveAs(null)}
              onApply={(change) => apply(targets(), change)}
              onClear={() => setSelected(new Set())}
            />
          )
        }
      />
      <p className="keyboard-hint">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens{canEdit ? <>, <kbd>x</kbd> selects</> : null}; <kbd>?</kbd> lists them all.
      </p>
      {showKeys && <ShortcutDialog onClose={() => setShowKeys(false)} canEdit={canEdit} />}
    </>
  );
}

interface BulkBarProps {
  count: number;
  assignees: string[];
  busy: boolean;
  message: { tone: "ok" | "error"; text: string } | null;
  /** A verdict key was pressed: open the resolve form with it chosen and the reason focused. */
  resolveAs: Classification | null;
  onResolveAsHandled: () => void;
  onApply: (change: TriageBulkChange) => Promise<boolean>;
  onClear: () => void;
}

/** The selection's actions: set a status (resolving asks a verdict and its reason), an assignee, or add tags. */
function BulkBar({ count, assignees, busy, message, resolveAs, onResolveAsHandled, onApply, onClear }: BulkBarProps) {
  const id = useId();
  const [status, setStatus] = useState<TriageStatus | "">("");
  const [classification, setClassification] = useState<Classification | "">("");
  const [reason, setReason] = useState("");
  const [assignee, setAssignee] = useState("");
  const [tags, setTags] = useState("");
  const reasonRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (resolveAs === null) return;
    setStatus("resolved");
    setClassification(resolveAs);
    onResolveAsHandled();
    // After the render that enables the field.
    setTimeout(() => reasonRef.current?.focus(), 0);
  }, [resolveAs, onResolveAsHandled]);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const change: TriageBulkChange = {};
    if (status) change.status = status;
    if (status === "resolved") {
      change.classification = classification || null;
      change.reason = reason.trim() || null;
    }
    if (assignee) change.assignee = assignee === "-" ? null : assignee;
    const added = tags
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
    if (added.length > 0) change.addTags = added;
    if (await onApply(change)) {
      setStatus("");
      setClassification("");
      setReason("");
      setAssignee("");
      setTags("");
    }
  }

  return (
    <form className="bulk-bar" aria-label="Change the selected findings" onSubmit={submit} noValidate>
      <span className="muted" aria-live="polite">
        {count === 0 ? "No finding selected: keys act on the highlighted row." : `${count} selected`}
      </span>
      <label className="field">
        <span>Set status</span>
        <select value={status} onChange={(event) => setStatus(event.target.value as TriageStatus | "")}>
          <option value="">Unchanged</option>
          <StatusOptions />
        </select>
      </label>
      {status === "resolved" && (
        <>
          <label className="field">
            <span>Classification</span>
            <select value={classification} onChange={(event) => setClassification(event.target.value as Classification | "")}>
              <option value="">Choose…</option>
              <ClassificationOptions />
            </select>
          </label>
          <label className="field">
            <span>Reason</span>
            <input ref={reasonRef} id={`${id}-reason`} value={reason} maxLength={MAX_REASON_CHARS} onChange={(event) => setReason(event.target.value)} />
          </label>
        </>
      )}
      <label className="field">
        <span>Set assignee</span>
        <select value={assignee} onChange={(event) => setAssignee(event.target.value)}>
          <option value="">Unchanged</option>
          <option value="-">Nobody</option>
          <AssigneeOptions assignees={assignees} />
        </select>
      </label>
      <label className="field">
        <span>Add tags</span>
        <input value={tags} onChange={(event) => setTags(event.target.value)} placeholder="comma-separated" />
      </label>
      <button className="button" type="submit" disabled={busy}>
        Apply
      </button>
      {count > 0 && (
        <button className="button button-quiet" type="button" onClick={onClear}>
          Clear selection
        </button>
      )}
      {message && (
        <p className={message.tone === "error" ? "field-error" : "muted"} role={message.tone === "error" ? "alert" : "status"} style={{ flexBasis: "100%", margin: 0 }}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function ShortcutDialog({ onClose, canEdit }: { onClose: () => void; canEdit: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const shown = canEdit ? SHORTCUTS : SHORTCUTS.filter(([keys]) => ["j / k", "Enter", "?"].includes(keys));
  return (
    <dialog ref={ref} className="shortcut-dialog" aria-labelledby={headingId} onClose={onClose}>
      <h2 id={headingId} style={{ marginTop: 0 }}>
        Keyboard shortcuts
      </h2>
      <dl>
        {shown.map(([keys, what]) => (
          <div key={keys} style={{ display: "contents" }}>
            <dt>
              {keys.split(" / ").map((key, index) => (
                <span key={key}>
                  {index > 0 && " / "}
                  <kbd>{key}</kbd>
                </span>
              ))}
            </dt>
            <dd style={{ margin: 0 }}>{what}</dd>
          </div>
        ))}
      </dl>
      <button className="button" type="button" onClick={() => ref.current?.close()}>
        Close
      </button>
    </dialog>
  );
}
