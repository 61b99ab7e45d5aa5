import { CryptoLoadsSection, FactList, FindingCharts, RawTextBlock } from "@/components/findings/finding-parts";
import { Badge } from "@/components/ui/badge";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import type { EvidenceConnection, EvidenceLoad, SeedQueryRow } from "@/lib/detection/seed-kql-query";
import { EventText } from "@/components/ui/event-text";

/** A finding of the KQL-compatible mode: the seed query's row and the join's evidence. */
export function SeedFindingDetail({ row, loads, connections, triage }: { row: SeedQueryRow; loads: EvidenceLoad[]; connections: EvidenceConnection[]; triage: React.ReactNode }) {

  const facts: [string, React.ReactNode][] = [
    ["Device", <EventText key="device" text={row.DeviceName} />],
    ["Account", row.AccountName ? <EventText key="account" text={row.AccountName} /> : "n/a"],
    ["Crypto libraries", <EventText key="libraries" text={row.CryptoLibsLoaded.join(", ")} />],
    ["Remote IPs", <EventText key="addresses" text={row.RemoteIPs.join(", ")} />],
    ["Remote ports", row.RemotePorts.join(", ")],
    ["ConnectionCount", row.ConnectionCount],
    ["Distinct connections", connections.length],
    ["DurationMinutes", row.DurationMinutes],
    ["AvgIntervalSeconds", formatNumber(row.AvgIntervalSeconds, 2)],
    ["Bytes sent", formatNumber(row.TotalBytesSent)],
    ["Bytes received", formatNumber(row.TotalBytesReceived)],
    ["DataTransferMB", formatNumber(row.DataTransferMB, 2)],
  ];

  return (
    <>
      <div className="page-header">
        <div>
          <h1>
            {row.ProcessName ? <EventText text={row.ProcessName} /> : "(unnamed process)"}{" "}
            <span className="muted">
              on <EventText text={row.DeviceName} />
            </span>{" "}
            {row.BeaconLikely ? <Badge tone="danger">Beacon likely</Badge> : <Badge tone="neutral">Beacon not likely</Badge>}
          </h1>
          <p>
            First connection {formatTimestamp(row.FirstConnection)} UTC, last {formatTimestamp(row.LastConnection)} UTC.
          </p>
        </div>
      </div>
      {triage}

      <section className="card" aria-labelledby="context-heading">
        <h2 id="context-heading" style={{ marginTop: 0 }}>
          Process context
        </h2>
        <FactList facts={facts} />
        <RawTextBlock label="Command line" text={row.ProcessCmd} />
        <RawTextBlock label="SHA256" text={row.ProcessSHA256} empty="n/a" />
      </section>

      <FindingCharts loads={loads} connections={connections} />

      <div className="evidence-grid">
        <section aria-labelledby="connections-heading">
          <h2 id="connections-heading">Connections ({connections.length})</h2>
          <div className="table-scroll scroll-y" tabIndex={0} aria-label="Connections table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Remote</th>
                  <th scope="col" className="num">PID</th>
                  <th scope="col" className="num">Sent</th>
                  <th scope="col" className="num">Received</th>
                  <th scope="col" className="num" title="Rows this connection contributes to the seed query's join">Join pairs</th>
                </tr>
              </thead>
              <tbody>
                {connections.map((c) => (
                  <tr key={`${c.eventId}-${c.timeUs}`}>
                    <td className="mono nowrap">{formatTimestamp(c.timestamp)}</td>
                    <td className="mono">
                      {c.remoteIp}:{c.remotePort}
                    </td>
                    <td className="num">{c.processId}</td>
                    <td className="num">{formatNumber(c.sentBytes)}</td>
                    <td className="num">{formatNumber(c.receivedBytes)}</td>
                    <td className="num">{c.joinedPairs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <CryptoLoadsSection loads={loads} />
      </div>
    </>
  );
}
