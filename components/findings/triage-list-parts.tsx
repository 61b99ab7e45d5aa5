import type { ColumnDef } from "@tanstack/react-table";
import type { FacetFilter } from "@/components/ui/data-table";
import { StatusBadge } from "@/components/findings/triage-panel";
import { ASSIGNEE_FILTER, STATUS_FILTER } from "@/lib/triage/triage-filter";
import { CLASSIFICATION_LABELS, CLASSIFICATIONS, STATUS_LABELS, TRIAGE_STATUSES, type TriageSummary } from "@/lib/triage/triage-state";

/** The findings lists' Status column: status, assignee, and a mark when detection reopened it. */
export function triageColumn<Row extends { triage: TriageSummary }>(): ColumnDef<Row, unknown> {
  return {
    id: "triage",
    header: "Status",
    enableSorting: false,
    meta: { clip: 170 },
    cell: ({ row }) => {
      const { status, assignee, reopened } = row.original.triage;
      return (
        <span title={[reopened, assignee && `Assigned to ${assignee}`].filter(Boolean).join(" ") || undefined}>
          <StatusBadge status={status} />
          {reopened && <strong className="reopened-mark"> reopened</strong>}
          {assignee && <span className="muted"> · {assignee}</span>}
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
      columnId: "classification",
      label: "Classification",
      options: [{ value: "", label: "Any" }, ...CLASSIFICATIONS.map((value) => ({ value, label: CLASSIFICATION_LABELS[value] }))],
    },
  ];
}
