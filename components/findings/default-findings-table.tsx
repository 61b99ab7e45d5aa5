"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { formatSeconds } from "@/lib/detection/format-seconds";
import { SEVERITY_ORDER } from "@/lib/detection/severity-model";
import { ALL_SEVERITIES, type DefaultFindingListRow } from "@/lib/detection/finding-list";
import type { FindingListPage } from "@/lib/server/findings-store";
import { SeverityBadge } from "@/components/findings/severity-badge";
import { Badge } from "@/components/ui/badge";
import { DataTable, facetOptions, yesNoFacet, type FacetFilter } from "@/components/ui/data-table";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import { EventText } from "@/components/ui/event-text";
import { TruncatedText } from "@/components/ui/truncated-text";
import { triageColumn, triageFacets } from "@/components/findings/triage-list-parts";
import type { WithTriage } from "@/lib/triage/triage-state";

type Row = WithTriage<DefaultFindingListRow>;

const numeric = { className: "num" };

const columns: ColumnDef<Row, unknown>[] = [
  triageColumn<Row>(),
  { accessorKey: "severityRank", header: "Severity", cell: ({ row }) => <SeverityBadge severity={row.original.severity} /> },
  { accessorKey: "confidence", header: "Confidence" },
  { accessorKey: "device", header: "Device", meta: { className: "nowrap" } },
  {
    accessorKey: "process",
    header: "Process",
    meta: { className: "nowrap" },
    cell: ({ row }) => <Link href={`/findings/${row.original.id}`}>{row.original.process ? <EventText text={row.original.process} /> : "(unnamed)"}</Link>,
  },
  { accessorKey: "pid", header: "PID", meta: numeric },
  { accessorKey: "rules", header: "Rules", meta: { className: "nowrap" } },
  {
    accessorKey: "strongBeacon",
    header: "Beacon",
    cell: ({ getValue }) => (getValue() === "yes" ? <Badge tone="danger">Strong beacon</Badge> : <Badge tone="neutral">No</Badge>),
  },
  { accessorKey: "beaconScore", header: "Beacon score", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number | null, 3) },
  { accessorKey: "medianInterval", header: "Median interval", meta: numeric, cell: ({ getValue }) => (getValue() === null ? "n/a" : formatSeconds(getValue() as number)) },
  { accessorKey: "connections", header: "Connections", meta: numeric },
  // A process scanning many ports would make its row as tall as its list: cut, the full list a click away.
  { accessorKey: "destinations", header: "Destinations", meta: { className: "wide" }, cell: ({ getValue }) => <TruncatedText text={getValue() as string} limit={44} label="destination list" /> },
  { accessorKey: "firstConnection", header: "First seen", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestamp(getValue() as string) },
  { accessorKey: "lastConnection", header: "Last seen", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestamp(getValue() as string) },
  { accessorKey: "commandLine", header: "Command line", meta: { className: "wide" }, cell: ({ getValue }) => <TruncatedText text={getValue() as string} label="command line" /> },
  { accessorKey: "account", header: "Account" },
];

export function DefaultFindingsTable({ list, assignees }: { list: FindingListPage<Row>; assignees: string[] }) {
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
      <DataTable
        page={list}
        columns={columns}
        noun="finding"
        facets={facets}
        searchLabel="Search findings"
        caption="Flagged processes"
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

