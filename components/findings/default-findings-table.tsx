"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo } from "react";
import { formatSeconds, type RuleId } from "@/lib/detection/default-detection";
import type { DefaultFindingItem } from "@/lib/server/findings-store";
import { SeverityBadge } from "@/components/findings/severity-badge";
import { Badge } from "@/components/ui/badge";
import { DataTable, facetOptions, yesNoFacet, type FacetFilter } from "@/components/ui/data-table";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import { TruncatedText } from "@/components/ui/truncated-text";

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

const RULE_SHORT: Record<RuleId, string> = {
  "crypto-load-then-connect": "crypto load → connect",
  "beacon-only": "strong beacon",
  "openssl-then-network": "openssl → network tool",
};

interface Row {
  id: string;
  severity: keyof typeof SEVERITY_RANK;
  severityRank: number;
  confidence: string;
  device: string;
  process: string;
  pid: number;
  rules: string;
  beaconScore: number | null;
  strongBeacon: string;
  medianInterval: number | null;
  connections: number;
  destinations: string;
  firstConnection: string;
  lastConnection: string;
  commandLine: string;
  account: string;
  reasons: string;
}

const numeric = { className: "num" };

const columns: ColumnDef<Row, unknown>[] = [
  { accessorKey: "severityRank", header: "Severity", cell: ({ row }) => <SeverityBadge severity={row.original.severity} /> },
  { accessorKey: "confidence", header: "Confidence" },
  { accessorKey: "device", header: "Device", meta: { className: "nowrap" } },
  {
    accessorKey: "process",
    header: "Process",
    meta: { className: "nowrap" },
    cell: ({ row }) => <Link href={`/findings/${row.original.id}`}>{row.original.process || "(unnamed)"}</Link>,
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
  { accessorKey: "destinations", header: "Destinations", cell: ({ getValue }) => <span className="mono">{getValue() as string}</span> },
  { accessorKey: "firstConnection", header: "First seen", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestamp(getValue() as string) },
  { accessorKey: "lastConnection", header: "Last seen", meta: { className: "nowrap mono" }, cell: ({ getValue }) => formatTimestamp(getValue() as string) },
  { accessorKey: "commandLine", header: "Command line", meta: { className: "wide" }, cell: ({ getValue }) => <TruncatedText text={getValue() as string} label="command line" /> },
  { accessorKey: "account", header: "Account" },
  // Hidden: lets the text search reach the reasons.
  { accessorKey: "reasons", header: "Reasons" },
];

export function DefaultFindingsTable({ findings }: { findings: DefaultFindingItem[] }) {
  const data = useMemo<Row[]>(
    () =>
      findings.map(({ id, finding }) => ({
        id,
        severity: finding.severity,
        severityRank: SEVERITY_RANK[finding.severity],
        confidence: finding.confidence,
        device: finding.process.deviceName,
        process: finding.process.processName,
        pid: finding.process.processId,
        rules: finding.rules.map((rule) => RULE_SHORT[rule]).join(", "),
        beaconScore: finding.beacon?.score ?? null,
        strongBeacon: finding.strongBeacon ? "yes" : "no",
        medianInterval: finding.beacon?.medianIntervalSeconds ?? null,
        connections: finding.connections.count,
        destinations: finding.connections.destinations.map((d) => `${d.remoteIp}:${d.remotePort}`).join(", "),
        firstConnection: finding.connections.firstConnection,
        lastConnection: finding.connections.lastConnection,
        commandLine: finding.process.commandLine,
        account: finding.process.accountName,
        reasons: finding.reasons.map((reason) => reason.text).join(" "),
      })),
    [findings],
  );
  const facets = useMemo<FacetFilter[]>(() => {
    return [
      { columnId: "device", label: "Device", options: facetOptions(data.map((row) => row.device)) },
      { columnId: "process", label: "Process", options: facetOptions(data.map((row) => row.process)) },
      yesNoFacet("strongBeacon", "Beacon", "Strong beacon", "No strong beacon"),
      {
        columnId: "severityRank",
        label: "Severity",
        options: [{ value: "", label: "All" }, ...(["critical", "high", "medium", "low"] as const).map((s) => ({ value: String(SEVERITY_RANK[s]), label: s }))],
      },
    ];
  }, [data]);

  return (
    <DataTable
      data={data}
      columns={columns}
      hiddenColumns={["reasons"]}
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
  );
}

