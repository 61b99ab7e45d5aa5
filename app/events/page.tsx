import type { Metadata } from "next";
import Link from "next/link";
import { formatNumber, formatTimestamp } from "@/components/ui/format";
import { EventText } from "@/components/ui/event-text";
import { TruncatedText } from "@/components/ui/truncated-text";
import { prisma } from "@/lib/server/db";
import { DATASET_EVENTS_SHOWN, datasetEventsQuerySchema, eventIdsSchema } from "@/lib/server/event-lookup";
import { datasetEvents, eventsByIds, type ListedEvent } from "@/lib/server/event-store";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Events" };
export const dynamic = "force-dynamic";

const KIND_LABEL = { image_load: "Image load", network: "Network", process: "Process" } as const;
const HOSTILE_NOTE = "Strings are shown as stored: they come from the endpoint and may be hostile.";

/** The raw events behind a finding's reason (`?ids=`), or a dataset's events (`?dataset=`), as stored. */
export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageAccount();
  const params = await searchParams;
  if (params.dataset !== undefined) return <DatasetEventsView params={params} />;
  const parsed = eventIdsSchema.safeParse(params.ids);
  if (!parsed.success) return <NoEvents message={parsed.error.issues[0].message} />;
  const events = eventsByIds(parsed.data);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Events</h1>
          <p>
            {events.length} of {parsed.data.length} requested event{parsed.data.length === 1 ? "" : "s"}, in time order. {HOSTILE_NOTE}
          </p>
          <ClockNote events={events} />
        </div>
      </div>
      <EventsTable events={events} />
    </>
  );
}

function NoEvents({ message }: { message: string }) {
  return (
    <div className="notice notice-error" role="alert">
      <h1>No events to show</h1>
      <p>{message}</p>
      <Link href="/findings">Back to findings</Link>
    </div>
  );
}

/** A dataset's first events in time order, narrowed by kind and file name (a GET form: the view is its URL). */
async function DatasetEventsView({ params }: { params: Record<string, string | string[] | undefined> }) {
  const parsed = datasetEventsQuerySchema.safeParse(params);
  if (!parsed.success) return <NoEvents message={parsed.error.issues[0].message} />;
  const { dataset: datasetId, kind, file } = parsed.data;
  const dataset = await prisma.dataset.findUnique({ where: { id: datasetId }, select: { fileName: true } });
  if (!dataset) return <NoEvents message="There is no dataset with this id (deleted?)." />;
  const { events, total } = datasetEvents(datasetId, { kind: kind || undefined, fileName: file || undefined }, DATASET_EVENTS_SHOWN);
  const shown = events.length < total ? `The first ${formatNumber(events.length)} of ${formatNumber(total)}` : formatNumber(total);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>
            Events of <EventText text={dataset.fileName} />
          </h1>
          <p>
            {total === 0 ? "No event matches." : `${shown} matching event${total === 1 ? "" : "s"}, in time order.`} {HOSTILE_NOTE}
          </p>
          <ClockNote events={events} />
        </div>
        <Link href="/datasets">Back to datasets</Link>
      </div>
      <form className="toolbar" method="get" action="/events" aria-label="Filter events">
        <input type="hidden" name="dataset" value={datasetId} />
        <label className="field">
          <span>Kind</span>
          <select name="kind" defaultValue={kind ?? ""}>
            <option value="">Any</option>
            {Object.entries(KIND_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>File name (loaded or created)</span>
          <input name="file" defaultValue={file ?? ""} placeholder="e.g. bcrypt.dll" />
        </label>
        <button type="submit" className="button">
          Show
        </button>
      </form>
      {events.length > 0 && <EventsTable events={events} />}
    </>
  );
}

function ClockNote({ events }: { events: ListedEvent[] }) {
  if (!events.some((event) => event.clockCorrectedFrom !== null)) return null;
  return (
    <p className="notice" data-testid="clock-note">
      Some of these events are placed by the collector&apos;s clock: Sysmon dated them before their own process was created, so their time is
      the log&apos;s time less this host&apos;s offset for process creations. What Sysmon wrote is shown under it.
    </p>
  );
}

function EventsTable({ events }: { events: ListedEvent[] }) {
  return (
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
  );
}

function optionalEventText(text: string | null, absent: string): React.ReactNode {
  return text === null ? absent : <EventText text={text} />;
}
