import type { Metadata } from "next";
import Link from "next/link";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import { EventText } from "@/components/ui/event-text";
import { TruncatedText } from "@/components/ui/truncated-text";
import { eventIdsSchema } from "@/lib/server/event-lookup";
import { eventsByIds } from "@/lib/server/event-store";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Events" };
export const dynamic = "force-dynamic";

const KIND_LABEL = { image_load: "Image load", network: "Network", process: "Process" } as const;

/** The raw events behind a finding's reason, as stored. */
export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageAccount();
  const parsed = eventIdsSchema.safeParse((await searchParams).ids);
  if (!parsed.success) {
    return (
      <div className="notice notice-error" role="alert">
        <h1>No events to show</h1>
        <p>{parsed.error.issues[0].message}</p>
        <Link href="/findings">Back to findings</Link>
      </div>
    );
  }
  const events = eventsByIds(parsed.data);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Events</h1>
          <p>
            {events.length} of {parsed.data.length} requested event{parsed.data.length === 1 ? "" : "s"}, in time order. Strings are shown as
            stored: they come from the endpoint and may be hostile.
          </p>
          {events.some((event) => event.clockCorrectedFrom !== null) && (
            <p className="notice" data-testid="clock-note">
              Some of these events are placed by the collector&apos;s clock: Sysmon dated them before their own process was created, so
              their time is the log&apos;s time less this host&apos;s offset for process creations. What Sysmon wrote is shown under it.
            </p>
          )}
        </div>
      </div>
      <div className="table-scroll">
        <table aria-label="Events">
          <thead>
            <tr>
              <th scope="col" className="num">Id</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Kind</th>
              <th scope="col">Action</th>
              <th scope="col">Device</th>
              <th scope="col">Process</th>
              <th scope="col" className="num">PID</th>
              <th scope="col">Command line</th>
              <th scope="col">File</th>
              <th scope="col">Remote</th>
              <th scope="col" className="num">Sent</th>
              <th scope="col" className="num">Received</th>
              <th scope="col">Dataset</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => {
              // Process events describe the created process; the others, the initiating one.
              const isProcess = event.kind === "process";
              return (
                <tr key={event.id}>
                  <td className="num">{event.id}</td>
                  <td className="mono nowrap">
                    {formatTimestamp(event.timestamp)}
                    {event.clockCorrectedFrom !== null && (
                      // Sysmon's own time contradicted the process; see the note above the table.
                      <div className="muted">Sysmon said {formatTimestamp(event.clockCorrectedFrom)}</div>
                    )}
                  </td>
                  <td>{KIND_LABEL[event.kind as keyof typeof KIND_LABEL] ?? event.kind}</td>
                  <td>
                    <EventText text={event.actionType} />
                  </td>
                  <td className="nowrap">
                    <EventText text={event.deviceName} />
                  </td>
                  <td className="nowrap">{optionalEventText(isProcess ? event.fileName : event.initiatingProcessFileName, "n/a")}</td>
                  <td className="num">{(isProcess ? event.processId : event.initiatingProcessId) ?? "n/a"}</td>
                  <td className="wide">
                    <TruncatedText text={(isProcess ? event.processCommandLine : event.initiatingProcessCommandLine) ?? ""} label="command line" />
                  </td>
                  <td className="mono">{isProcess ? "" : optionalEventText(event.folderPath ?? event.fileName, "")}</td>
                  <td className="mono">{event.remoteIp ? <EventText text={`${event.remoteIp}:${event.remotePort ?? ""}`} /> : ""}</td>
                  <td className="num">{event.kind === "network" ? formatNumber(event.sentBytes) : ""}</td>
                  <td className="num">{event.kind === "network" ? formatNumber(event.receivedBytes) : ""}</td>
                  <td className="mono">{optionalEventText(event.datasetFileName, "")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function optionalEventText(text: string | null, absent: string): React.ReactNode {
  return text === null ? absent : <EventText text={text} />;
}
