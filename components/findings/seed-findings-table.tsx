"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo } from "react";
import type { SeedFindingListRow } from "@/lib/detection/finding-list";
import type { FindingListPage } from "@/lib/server/findings-store";
import { Badge } from "@/components/ui/badge";
import { DataTable, facetOptions, yesNoFacet, type FacetFilter } from "@/components/ui/data-table";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import { EventText } from "@/components/ui/event-text";
import { TruncatedText } from "@/components/ui/truncated-text";
import { triageColumn, triageFacets } from "@/components/findings/triage-list-parts";
import type { WithTriage } from "@/lib/triage/triage-state";

type Row = WithTriage<SeedFindingListRow>;

const numeric = { className: "num" };

const columns: ColumnDef<Row, unknown>[] = [
  triageColumn<Row>(),
  {
    accessorKey: "BeaconLikely",
    header: "BeaconLikely",
    cell: ({ row }) => (row.original.BeaconLikely ? <Badge tone="danger">Beacon likely</Badge> : <Badge tone="neutral">No</Badge>),
    sortingFn: "basic",
  },
  { accessorKey: "DeviceName", header: "DeviceName", meta: { className: "nowrap" } },
  {
    accessorKey: "ProcessName",
    header: "ProcessName",
    meta: { className: "nowrap" },
    cell: ({ row }) => <Link href={`/findings/${row.original.id}`}>{row.original.ProcessName ? <EventText text={row.original.ProcessName} /> : "(unnamed)"}</Link>,
  },
  { accessorKey: "ProcessCmd", header: "ProcessCmd", meta: { className: "wide" }, cell: ({ getValue }) => <TruncatedText text={getValue() as string} label="command line" /> },
  { accessorKey: "AccountName", header: "AccountName" },
  { accessorKey: "ProcessSHA256", header: "ProcessSHA256", cell: ({ getValue }) => <TruncatedText text={getValue() as string} limit={12} label="hash" /> },
  { accessorKey: "CryptoLibsLoaded", header: "CryptoLibsLoaded" },
  { accessorKey: "RemoteIPs", header: "RemoteIPs", meta: { className: "wide" }, cell: ({ getValue }) => <TruncatedText text={getValue() as string} limit={44} label="address list" /> },
  { accessorKey: "RemotePorts", header: "RemotePorts", meta: numeric },
  { accessorKey: "ConnectionCount", header: "ConnectionCount", meta: numeric },
  { accessorKey: "TotalBytesSent", header: "TotalBytesSent", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number | null) },
  { accessorKey: "TotalBytesReceived", header: "TotalBytesReceived", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number | null) },
  { accessorKey: "FirstConnection", header: "FirstConnection", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestamp(getValue() as string) },
  { accessorKey: "LastConnection", header: "LastConnection", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestamp(getValue() as string) },
  { accessorKey: "DataTransferMB", header: "DataTransferMB", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number | null, 2) },
  { accessorKey: "DurationMinutes", header: "DurationMinutes", meta: numeric },
  { accessorKey: "AvgIntervalSeconds", header: "AvgIntervalSeconds", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number, 2) },
];

export function SeedFindingsTable({ list, assignees }: { list: FindingListPage<Row>; assignees: string[] }) {
  const facets = useMemo<FacetFilter[]>(
    () => [
      { columnId: "DeviceName", label: "Device", options: facetOptions(list.deviceNames) },
      { columnId: "ProcessName", label: "Process", options: facetOptions(list.processNames) },
      yesNoFacet("BeaconLikelyText", "BeaconLikely", "Beacon likely", "Not beacon likely"),
      ...triageFacets(assignees),
    ],
    [list.deviceNames, list.processNames, assignees],
  );

  return (
    <DataTable
      page={list}
      columns={columns}
      noun="finding"
      facets={facets}
      searchLabel="Search findings"
      caption="Flagged processes (seed KQL mode)"
      emptyMessage={
        <>
          No findings. <Link href="/upload">Upload Defender exports</Link> or check the <Link href="/allowlists">allowlists</Link>.
        </>
      }
    />
  );
}
