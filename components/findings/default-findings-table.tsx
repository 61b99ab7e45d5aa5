"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { formatSeconds } from "@/lib/detection/format-seconds";
import { SEVERITY_ORDER } from "@/lib/detection/severity-model";
import { ALL_SEVERITIES, type DefaultFindingListRow } from "@/lib/detection/finding-list";
import type { FindingListPage } from "@/lib/server/findings-store";
import type { WithTriage } from "@/lib/triage/triage-state";
import { FindingsQueue } from "@/components/findings/findings-queue";
import { FindingLink } from "@/components/findings/finding-link";
import { SeverityBadge } from "@/components/findings/severity-badge";
import { evidenceFilters, triageColumn, triageFacets } from "@/components/findings/triage-list-parts";
import { Badge } from "@/components/ui/badge";
import { facetOptions, yesNoFacet, type DataTableColumnMeta, type FacetFilter } from "@/components/ui/data-table";
import { formatNumber, formatTimestampToSecond } from "@/components/ui/format";
import { EventText } from "@/components/ui/event-text";

type Row = WithTriage<DefaultFindingListRow>;

const numeric: DataTableColumnMeta = { className: "num" };
const time: DataTableColumnMeta = { className: "nowrap mono" };

// The main columns first, each one line, fitting a 1440 px screen; the rest (on the finding's page too) to their right.
const columns: ColumnDef<Row, unknown>[] = [
  triageColumn<Row>(),
  { accessorKey: "severityRank", header: "Severity", cell: ({ row }) => <SeverityBadge severity={row.original.severity} /> },
  { accessorKey: "device", header: "Device", meta: { clip: 140 } },
  {
    accessorKey: "process",
    header: "Process",
    meta: { clip: 140 },
    cell: ({ row }) => <FindingLink id={row.original.id}>{row.original.process ? <EventText text={row.original.process} /> : "(unnamed)"}</FindingLink>,
  },
  { accessorKey: "rules", header: "Rules", meta: { clip: 150 } },
  {
    accessorKey: "beaconScore",
    header: "Beacon",
    meta: numeric,
    cell: ({ row }) => (
      <span title={row.original.strongBeacon === "yes" ? "Strong beacon" : "No strong beacon"}>
        <Badge tone={row.original.strongBeacon === "yes" ? "danger" : "neutral"}>{formatNumber(row.original.beaconScore, 3)}</Badge>
      </span>
    ),
  },
  { accessorKey: "connections", header: "Conns", meta: numeric },
  { accessorKey: "destinations", header: "Destinations", meta: { clip: 150, className: "mono" } },
  { accessorKey: "lastConnection", header: "Last seen", meta: time, cell: ({ getValue }) => formatTimestampToSecond(getValue() as string) },
  { accessorKey: "confidence", header: "Confidence" },
  { accessorKey: "pid", header: "PID", meta: numeric },
  { accessorKey: "medianInterval", header: "Interval", meta: numeric, cell: ({ getValue }) => (getValue() === null ? "n/a" : formatSeconds(getValue() as number)) },
  { accessorKey: "firstConnection", header: "First seen", meta: time, cell: ({ getValue }) => formatTimestampToSecond(getValue() as string) },
  { accessorKey: "commandLine", header: "Command line", meta: { clip: 320, className: "mono" } },
  { accessorKey: "account", header: "Account", meta: { clip: 160 } },
];

interface Props {
  list: FindingListPage<Row>;
  assignees: string[];
  currentUsername: string;
  canEdit: boolean;
}

export function DefaultFindingsTable({ list, assignees, currentUsername, canEdit }: Props) {
  const facets = useMemo<FacetFilter[]>(
    () => [
      { columnId: "device", label: "Device", options: facetOptions(list.deviceNames) },
      { columnId: "process", label: "Process", options: facetOptions(list.processNames) },
      yesNoFacet("strongBeacon", "Beacon", "Strong beacon", "No strong beacon"),
      {
        // The default queue leaves low findings out (see FindingListQuery.hideLow).
        columnId: "severityRank",
        label: "Severity",
        options: [
          { value: "", label: "Medium and above" },
          { value: "2-3", label: "High and above" },
          { value: ALL_SEVERITIES, label: "All, low included" },
          ...(["critical", "high", "medium", "low"] as const).map((s) => ({ value: String(SEVERITY_ORDER[s]), label: s })),
        ],
      },
      ...triageFacets(assignees),
    ],
    [list.deviceNames, list.processNames, assignees],
  );

  return (
    <>
      {list.heldBackLow > 0 && <HeldBackLowNotice count={list.heldBackLow} />}
      <FindingsQueue
        page={list}
        columns={columns}
        facets={facets}
        moreFilters={evidenceFilters("default")}
        caption="Flagged processes"
        assignees={assignees}
        currentUsername={currentUsername}
        canEdit={canEdit}
        emptyMessage={
          <>
            No findings. <Link href="/upload">Upload Defender exports</Link> or check the <Link href="/allowlists">allowlists and settings</Link>.
          </>
        }
      />
    </>
  );
}

/** The default queue leaves low findings out: say how many, and link to them with the current filters. */
function HeldBackLowNotice({ count }: { count: number }) {
  const searchParams = useSearchParams();
  const withLow = new URLSearchParams(searchParams.toString());
  withLow.set("severityRank", ALL_SEVERITIES);
  withLow.delete("page");
  return (
    <p className="muted" data-testid="held-back-low">
      {count === 1 ? "1 low-severity finding is" : `${count.toLocaleString("en-US")} low-severity findings are`} not in this queue (low: a correlation with
      nothing more, or software most of the fleet runs calling where most of the fleet calls). <Link href={`?${withLow}`}>Show them too</Link>
    </p>
  );
}
