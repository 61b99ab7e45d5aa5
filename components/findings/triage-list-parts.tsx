import type { ColumnDef } from "@tanstack/react-table";
import type { FacetFilter, InputFilter } from "@/components/ui/data-table";
import type { RuleId } from "@/lib/detection/default-detection";
import { RULE_SHORT_LABELS } from "@/lib/detection/finding-list";
import { StatusBadge } from "@/components/findings/triage-panel";
import { ASSIGNEE_FILTER, STATUS_FILTER } from "@/lib/triage/triage-filter";
import { CLASSIFICATION_LABELS, CLASSIFICATIONS, STATUS_LABELS, TRIAGE_STATUSES, type TriageSummary } from "@/lib/triage/triage-state";

/** The findings lists' Status column: status, assignee, and marks when detection reopened it or a suppression hides it. */
export function triageColumn<Row extends { triage: TriageSummary; suppressedBy: string[] }>(): ColumnDef<Row, unknown> {
  return {
    id: "triage",
    header: "Status",
    enableSorting: false,
    meta: { clip: 150 },
    cell: ({ row }) => {
      const { status, assignee, reopened } = row.original.triage;
      return (
        <span title={[reopened, assignee && `Assigned to ${assignee}`].filter(Boolean).join(" ") || undefined}>
          <StatusBadge status={status} />
          {reopened && <strong className="reopened-mark"> reopened</strong>}
          {assignee && <span className="muted"> · {assignee}</span>}
          {row.original.suppressedBy.length > 0 && <span className="muted"> · suppressed</span>}
        </span>
      );
    },
  };
}

/** The findings lists' triage filters (URL parameters of lib/triage/triage-filter). */
export function triageFacets(assignees: readonly string[]): FacetFilter[] {
  return [
    {
      columnId: "status",
      label: "Status",
      options: [
        { value: "", label: "Open (new, investigating)" },
        { value: STATUS_FILTER.all, label: "All" },
        ...TRIAGE_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] })),
      ],
    },
    {
      columnId: "assignee",
      label: "Assignee",
      options: [
        { value: "", label: "Anyone" },
        { value: ASSIGNEE_FILTER.mine, label: "Mine" },
        { value: ASSIGNEE_FILTER.none, label: "Unassigned" },
        ...assignees.map((username) => ({ value: username, label: username })),
      ],
    },
    {
      // Hidden by default (lib/tuning/suppression).
      columnId: "suppressed",
      label: "Suppressed",
      options: [
        { value: "", label: "Hidden" },
        { value: "include", label: "Shown too" },
        { value: "only", label: "Only them" },
      ],
    },
    {
      columnId: "classification",
      label: "Classification",
      options: [{ value: "", label: "Any" }, ...CLASSIFICATIONS.map((value) => ({ value, label: CLASSIFICATION_LABELS[value] }))],
    },
  ];
}

/** The list's evidence filters (lib/detection/finding-list EvidenceFilter), behind "More filters": rules exist in the default mode only. */
export function evidenceFilters(mode: "default" | "kql"): (FacetFilter | InputFilter)[] {
  const rule: FacetFilter = {
    columnId: "rule",
    label: "Rule",
    options: [{ value: "", label: "Any" }, ...(Object.keys(RULE_SHORT_LABELS) as RuleId[]).map((value) => ({ value, label: RULE_SHORT_LABELS[value] }))],
  };
  return [
    ...(mode === "default" ? [rule] : []),
    { parameter: "destination", label: "Destination address", type: "text" },
    { parameter: "firstSeenFrom", label: "First seen from (UTC)", type: "date" },
    { parameter: "firstSeenTo", label: "First seen before", type: "date" },
    { parameter: "lastSeenFrom", label: "Last seen from (UTC)", type: "date" },
    { parameter: "lastSeenTo", label: "Last seen before", type: "date" },
    // Set by a suppression's "hides now" link on the Tuning page.
    { parameter: "suppressedBy", label: "Hidden by suppression (id)", type: "text" },
  ];
}
