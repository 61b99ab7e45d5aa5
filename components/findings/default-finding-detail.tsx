import Link from "next/link";
import { CryptoLoadsSection, FactList, FindingCharts, RawTextBlock } from "@/components/findings/finding-parts";
import { ConfidenceText, SeverityBadge } from "@/components/findings/severity-badge";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import { MIN_BEACON_PERIODICITY, RULE_LABELS, type DefaultEvidenceConnection, type DefaultEvidenceLoad } from "@/lib/detection/default-detection";
import { formatSeconds } from "@/lib/detection/format-seconds";
import type { DetectionSettings } from "@/lib/detection/detection-settings";
import { prevalenceText } from "@/lib/detection/fleet-prevalence";
import { SEVERITY_EVIDENCE_TABLE } from "@/lib/detection/severity-model";
import type { StoredDefaultFinding } from "@/lib/server/findings-store";
import { EventText } from "@/components/ui/event-text";

/** Rows beyond this are summarised rather than rendered: a day of 5 s beacons is 17,000 rows. */
const MAX_TABLE_ROWS = 500;

const score = (value: number | null) => (value === null ? "n/a" : value.toFixed(3));

interface Props {
  finding: StoredDefaultFinding;
  loads: DefaultEvidenceLoad[];
  connections: DefaultEvidenceConnection[];
  settings: DetectionSettings;
  /** The triage panel, shown under the heading. */
  triage: React.ReactNode;
}

export function DefaultFindingDetail({ finding, loads, connections, settings, triage }: Props) {
  const { process, prevalence } = finding;
  const facts: [string, React.ReactNode][] = [
    ["Device", <EventText key="device" text={process.deviceName} />],
    ["PID", process.processId],
    ["Created", process.processCreationTime ? `${formatTimestamp(process.processCreationTime)} UTC` : "unknown"],
    ["Account", process.accountName ? <EventText key="account" text={process.accountName} /> : "n/a"],
    [
      "Parent",
      finding.parent ? (
        <>
          <EventText text={finding.parent.fileName} />
          {finding.parent.processId === null ? "" : ` (pid ${finding.parent.processId})`}
        </>
      ) : (
        "unknown"
      ),
    ],
    ["Grandparent", finding.grandparent ? <EventText key="grandparent" text={finding.grandparent.fileName} /> : "unknown"],
    ["Crypto libraries", finding.cryptoLibsLoaded.length > 0 ? <EventText key="libraries" text={finding.cryptoLibsLoaded.join(", ")} /> : "none loaded"],
    ["Connections", finding.connections.failedAttempts > 0 ? `${finding.connections.count} (${finding.connections.failedAttempts} failed attempts, counted in lab mode)` : finding.connections.count],
    ["Binary in the fleet", prevalence ? prevalenceText(prevalence.binaryDevices, prevalence.fleetDevices) : "not counted"],
    [
      "Destination in the fleet",
      prevalence?.destinationIp && prevalence.destinationDevices !== null ? (
        <>
          <EventText text={prevalence.destinationIp} /> {prevalenceText(prevalence.destinationDevices, prevalence.fleetDevices)}
        </>
      ) : (
        "not counted"
      ),
    ],
    ["Bytes sent", formatNumber(finding.connections.bytesSent)],
    ["Bytes received", formatNumber(finding.connections.bytesReceived)],
  ];

  return (
    <>
      <div className="page-header">
        <div>
          <h1>
            {process.processName ? <EventText text={process.processName} /> : "(unnamed process)"}{" "}
            <span className="muted">
              on <EventText text={process.deviceName} />
            </span>{" "}
            <SeverityBadge severity={finding.severity} />{" "}
            <ConfidenceText confidence={finding.confidence} />
          </h1>
          <p>
            Rules: {finding.rules.map((rule) => RULE_LABELS[rule]).join("; ")}. First connection {formatTimestamp(finding.connections.firstConnection)} UTC, last{" "}
            {formatTimestamp(finding.connections.lastConnection)} UTC.
          </p>
          <p data-testid="severity-basis">Severity: {finding.severityBasis.join("; ")}.</p>
          <details className="severity-table">
            <summary>How evidence adds up to a severity</summary>
            <table aria-label="Evidence and severity">
              <thead>
                <tr>
                  <th scope="col">Evidence</th>
                  <th scope="col">Alone</th>
                  <th scope="col">With the others</th>
                </tr>
              </thead>
              <tbody>
                {SEVERITY_EVIDENCE_TABLE.map((row) => (
                  <tr key={row.evidence}>
                    <td>{row.evidence}</td>
                    <td>{row.alone}</td>
                    <td>{row.withOthers}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </div>
      </div>
      {triage}

      <section className="notice" aria-labelledby="mode-difference-heading">
        <h2 id="mode-difference-heading" style={{ margin: "0 0 4px" }}>
          Compared with the seed query
        </h2>
        <p style={{ margin: 0 }} data-testid="mode-difference">
          <EventText text={finding.modeDifference} />
        </p>
      </section>

      <section className="card" aria-labelledby="reasons-heading">
        <h2 id="reasons-heading" style={{ marginTop: 0 }}>
          Why it was flagged
        </h2>
        <ul className="reasons">
          {finding.reasons.map((reason, index) => (
            <li key={index}>
              <EventText text={reason.text} />{" "}
              {reason.eventIds.length > 0 && (
                <Link href={`/events?ids=${reason.eventIds.join(",")}`} prefetch={false}>
                  {reason.eventIds.length === 1 ? "1 event" : `${reason.eventIds.length} events`}
                </Link>
              )}
            </li>
          ))}
        </ul>
      </section>

      <h2>Beacon score breakdown</h2>
      <div className="table-scroll">
        <table aria-label="Beacon scores per destination">
          <thead>
            <tr>
              <th scope="col">Destination</th>
              <th scope="col">Address</th>
              <th scope="col" className="num">Connections</th>
              <th scope="col" className="num">Score</th>
              <th scope="col" className="num">Timestamp</th>
              <th scope="col" className="num">Data size</th>
              <th scope="col" className="num">Histogram</th>
              <th scope="col" className="num">Duration</th>
              <th scope="col" className="num">Periodicity</th>
              <th scope="col" className="num">Median interval</th>
              <th scope="col" className="num">Jitter (MAD)</th>
            </tr>
          </thead>
          <tbody>
            {finding.connections.destinations.map((d) => (
              <tr key={`${d.remoteIp}:${d.remotePort}`}>
                <td className="mono">
                  {d.remoteIp}:{d.remotePort}
                </td>
                <td>{d.addressClass}</td>
                <td className="num">{d.connections}</td>
                <td className="num">
                  <strong>{score(d.beacon.score)}</strong>
                </td>
                <td className="num">{score(d.beacon.timestampScore)}</td>
                <td className="num">{score(d.beacon.dataSizeScore)}</td>
                <td className="num">{score(d.beacon.histogramScore)}</td>
                <td className="num">{score(d.beacon.durationScore)}</td>
                <td className="num">{score(d.beacon.periodicity)}</td>
                <td className="num">{d.beacon.medianIntervalSeconds === null ? "n/a" : formatSeconds(d.beacon.medianIntervalSeconds)}</td>
                <td className="num">{d.beacon.intervalMadSeconds === null ? "n/a" : formatSeconds(d.beacon.intervalMadSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="formula">
        Score = mean of the components that exist (RITA v5): timestamp = (Bowley skew score + MAD score) / 2 over the sorted non-zero intervals;
        data size = the same over bytes per connection; histogram = max(1 − CV of 24 bins, bimodal fit); duration = max(coverage of the
        lookback, longest run of active hours / 12). Periodicity is reported beside them, not in the score. Strong beacon: at least {settings.beaconMinConnections} connections at distinct times, and a score ≥ {settings.beaconScoreThreshold} with a
        periodicity ≥ {MIN_BEACON_PERIODICITY} over 100 intervals or more, up to 0.8 over 30 or fewer (random traffic all day long can reach the score, rarely the
        periodicity), or a timestamp score and a periodicity both ≥{" "}
        {settings.beaconScoreThreshold} (regular while it lasts, however short the session). Per address across ports too, when no single port beacons.
      </p>

      <section className="card" aria-labelledby="context-heading">
        <h2 id="context-heading" style={{ marginTop: 0 }}>
          Process context
        </h2>
        <FactList facts={facts} />
        <RawTextBlock label="Command line" text={process.commandLine} />
        {finding.parent?.commandLine && (
          <RawTextBlock label="Parent command line" text={finding.parent.commandLine} />
        )}
        <h3 className="subheading">Indicators</h3>
        {finding.commandLineIndicators.length + finding.lineageFlags.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            No command-line or lineage indicator.
          </p>
        ) : (
          <ul className="reasons">
            {finding.commandLineIndicators.map((indicator) => (
              <li key={indicator.id}>
                {indicator.label}:{" "}
                <code>
                  <EventText text={indicator.evidence} />
                </code>
              </li>
            ))}
            {finding.lineageFlags.map((flag) => (
              <li key={flag.id}>
                {flag.label}: <EventText text={flag.detail} />
              </li>
            ))}
          </ul>
        )}
        <RawTextBlock label="SHA256" text={process.sha256} empty="n/a" />
      </section>

      <FindingCharts loads={loads} connections={connections} />

      <div className="evidence-grid">
        <section aria-labelledby="connections-heading">
          <h2 id="connections-heading">Connections ({connections.length})</h2>
          {connections.length > MAX_TABLE_ROWS && <p className="muted">Showing the first {MAX_TABLE_ROWS}; all of them are in the charts and the JSON export.</p>}
          <div className="table-scroll scroll-y" tabIndex={0} aria-label="Connections table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Remote</th>
                  <th scope="col" className="num">Sent</th>
                  <th scope="col" className="num">Received</th>
                  <th scope="col" title="Within the seed query's 15-minute window after a crypto load">Seed window</th>
                </tr>
              </thead>
              <tbody>
                {connections.slice(0, MAX_TABLE_ROWS).map((c) => (
                  <tr key={`${c.eventId}-${c.timeUs}`}>
                    <td className="mono nowrap">{formatTimestamp(c.timestamp)}</td>
                    <td className="mono">
                      {c.remoteIp}:{c.remotePort}
                      {c.failed && <span className="muted"> (failed)</span>}
                    </td>
                    <td className="num">{formatNumber(c.sentBytes)}</td>
                    <td className="num">{formatNumber(c.receivedBytes)}</td>
                    <td>{c.inSeedWindow ? "yes" : ""}</td>
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
