import { authorize } from "@/lib/server/authorize";
import { z } from "zod";
import { allFindings, detectionModeSchema, type DetectionMode } from "@/lib/server/findings-store";
import { findingListQuery, pageFacetParams, type FindingListQuery } from "@/lib/detection/finding-list";
import { NextResponse } from "next/server";
import { actorLabel } from "@/lib/auth/roles";
import { triageBulkChangeSchema } from "@/lib/triage/triage-state";
import { changeFindingsTriage, currentFindingMarks } from "@/lib/server/triage-store";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { readDetectionRun, type DetectionRun } from "@/lib/server/detection-settings";
import { defaultFindingCsvRow, findingCsvHeader, findingsCsv, seedFindingCsvRow } from "@/lib/triage/finding-export";

const findingsQuerySchema = z.object({
  mode: detectionModeSchema.default("default"),
  format: z.enum(["json", "csv"], { error: "format must be json or csv" }).default("json"),
});

/**
 * The findings the list's URL would show, every page of them, in rank order: the default queue
 * (no low findings) unless filtered otherwise, or the slice the list's own URL parameters keep:
 * `q` (search), `device`, `process`, `beacon`, and in default mode `severity` (findingListQuery:
 * low findings only with `severity=all` or `severity=low`, as on the page); the triage filters
 * `status` (open by default, or `all`, `new`, `investigating`, `resolved`), `assignee` (a username,
 * `mine` or `none`), `classification`, `tag` and `resolvedFrom`; the evidence filters `destination`,
 * `rule`, `firstSeenFrom`/`firstSeenTo`, `lastSeenFrom`/`lastSeenTo`; in default mode `severity=high-critical`
 * for a severity and above. Every item carries its `id` and `triage`.
 * Default mode: one object per flagged process (identity,
 * rules, severity, confidence, reasons, connections, beacon scores). `mode=kql`: the seed query's
 * rows. `format=csv` answers the same findings as a CSV download, one row per finding with its
 * triage (lib/triage/finding-export). Either is streamed a slice of findings at a time, so a fleet
 * with tens of thousands of findings never sits in the server's memory at once.
 */
export async function GET(request: Request) {
  try {
    const { actor } = await authorize(request, "read");
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const { mode, format } = findingsQuerySchema.parse(params);
    const query = findingListQuery(mode, pageFacetParams(mode, params), actor.kind === "user" ? actor.username : null);
    const run = await readDetectionRun();
    if (format === "csv") {
      return new Response(textStream(csvChunks(mode, run, query)), {
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="findings-${mode}.csv"` },
      });
    }
    const slices = mode === "kql" ? allFindings("kql", run, query) : allFindings("default", run, query);
    return new Response(textStream(jsonChunks(slices)), { headers: { "content-type": "application/json" } });
  } catch (error) {
    return handleApiError(error);
  }
}

/**
 * Bulk triage (analyst, admin): `{ ids, change }`, where change has any of `{ status,
 * classification, reason, assignee, addTags }`, applied to every finding or to none (422). Answers
 * `{ triage: [...] }` in the order of the ids.
 */
export async function PATCH(request: Request) {
  try {
    const caller = await authorize(request, "edit");
    const { ids, change } = triageBulkChangeSchema.parse(await readJsonBody(request));
    const marks = await currentFindingMarks(ids);
    return NextResponse.json({ triage: changeFindingsTriage(marks, change, { label: actorLabel(caller.actor), address: caller.address }) });
  } catch (error) {
    return handleApiError(error);
  }
}

/** The JSON array, a slice of findings per chunk. */
function* jsonChunks(slices: Iterable<unknown[]>): Generator<string> {
  let separator = "[";
  for (const slice of slices) {
    yield separator + slice.map((finding) => JSON.stringify(finding)).join(",");
    separator = ",";
  }
  yield separator === "[" ? "[]" : "]";
}

/** The CSV: its header, then a slice of findings per chunk. */
function* csvChunks(mode: DetectionMode, run: DetectionRun | null, query: FindingListQuery): Generator<string> {
  yield findingsCsv([findingCsvHeader(mode)]);
  if (mode === "kql") for (const slice of allFindings("kql", run, query)) yield findingsCsv(slice.map(seedFindingCsvRow));
  else for (const slice of allFindings("default", run, query)) yield findingsCsv(slice.map(defaultFindingCsvRow));
}

/** A body read a chunk at a time, as the client takes it. */
function textStream(chunks: Iterator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      // Throws (failing the download) if detection reran meanwhile: a short list must not look complete.
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
}
