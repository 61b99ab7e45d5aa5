"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo } from "react";
import type { SeedFindingListRow } from "@/lib/detection/finding-list";
import type { FindingListPage } from "@/lib/server/findings-store";
import { Badge } from "@/components/ui/badge";
import { facetOptions, yesNoFacet, type FacetFilter } from "@/components/ui/data-table";
import { FindingsQueue } from "@/components/findings/findings-queue";
import { FindingLink } from "@/components/findings/finding-link";
import { formatNumber, formatTimestampToSecond } from "@/components/ui/format";
import { EventText } from "@/components/ui/event-text";
import { TruncatedText } from "@/components/ui/truncated-text";
import { evidenceFilters, triageColumn, triageFacets } from "@/components/findings/triage-list-parts";
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
  { accessorKey: "DeviceName", header: "DeviceName", meta: { clip: 150 } },
  {
    accessorKey: "ProcessName",
    header: "ProcessName",
    meta: { clip: 150 },
    cell: ({ row }) => <FindingLink id={row.original.id}>{row.original.ProcessName ? <EventText text={row.original.ProcessName} /> : "(unnamed)"}</FindingLink>,
  },
  { accessorKey: "ProcessCmd", header: "ProcessCmd", meta: { clip: 260, className: "mono" } },
  { accessorKey: "AccountName", header: "AccountName", meta: { clip: 140 } },
  { accessorKey: "ProcessSHA256", header: "ProcessSHA256", cell: ({ getValue }) => <TruncatedText text={getValue() as string} limit={12} label="hash" /> },
  { accessorKey: "CryptoLibsLoaded", header: "CryptoLibsLoaded" },
  { accessorKey: "RemoteIPs", header: "RemoteIPs", meta: { clip: 170, className: "mono" } },
  { accessorKey: "RemotePorts", header: "RemotePorts", meta: numeric },
  { accessorKey: "ConnectionCount", header: "ConnectionCount", meta: numeric },
  { accessorKey: "TotalBytesSent", header: "TotalBytesSent", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number | null) },
  { accessorKey: "TotalBytesReceived", header: "TotalBytesReceived", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number | null) },
  { accessorKey: "FirstConnection", header: "FirstConnection", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestampToSecond(getValue() as string) },
  { accessorKey: "LastConnection", header: "LastConnection", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestampToSecond(getValue() as string) },
  { accessorKey: "DataTransferMB", header: "DataTransferMB", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number | null, 2) },
  { accessorKey: "DurationMinutes", header: "DurationMinutes", meta: numeric },
  { accessorKey: "AvgIntervalSeconds", header: "AvgIntervalSeconds", meta: numeric, cell: ({ getValue }) => formatNumber(getValue() as number, 2) },
];

export function SeedFindingsTable({ list, assignees, currentUsername, canEdit }: { list: FindingListPage<Row>; assignees: string[]; currentUsername: string; canEdit: boolean }) {
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
    <FindingsQueue
      page={list}
      columns={columns}
      facets={facets}
      moreFilters={evidenceFilters("kql")}
      caption="Flagged processes (seed KQL mode)"
      assignees={assignees}
      currentUsername={currentUsername}
      canEdit={canEdit}
      emptyMessage={
        <>
          No findings. <Link href="/upload">Upload Defender exports</Link> or check the <Link href="/allowlists">allowlists</Link>.
        </>
      }
    />
  );
}
