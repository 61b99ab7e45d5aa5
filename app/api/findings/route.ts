import { authorize } from "@/lib/server/authorize";
import { z } from "zod";
import { allFindings, detectionModeSchema } from "@/lib/server/findings-store";
import { findingListQuery, pageFacetParams } from "@/lib/detection/finding-list";
import { handleApiError } from "@/lib/server/handle-api-error";
import { readDetectionRun } from "@/lib/server/detection-settings";

const findingsQuerySchema = z.object({ mode: detectionModeSchema.default("default") });

/**
 * The findings the list's URL would show, every page of them, in rank order: the default queue
 * (no low findings) unless filtered otherwise, or the slice the list's own URL parameters keep:
 * `q` (search), `device`, `process`, `beacon`, and in default mode `severity` (findingListQuery:
 * low findings only with `severity=all` or `severity=low`, as on the page); the triage filters
 * `status` (open by default, or `all`, `new`, `investigating`, `resolved`), `assignee` (a username,
 * `mine` or `none`), `classification` and `tag`. Every item carries its `id` and `triage`.
 * Default mode: one object per flagged process (identity,
 * rules, severity, confidence, reasons, connections, beacon scores). `mode=kql`: the seed query's
 * rows. The JSON array is streamed a slice of findings at a time, so a fleet with tens of
 * thousands of findings never sits in the server's memory at once.
 */
export async function GET(request: Request) {
  try {
    const { actor } = await authorize(request, "read");
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const { mode } = findingsQuerySchema.parse(params);
    const query = findingListQuery(mode, pageFacetParams(mode, params), actor.kind === "user" ? actor.username : null);
    const run = await readDetectionRun();
    const slices = mode === "kql" ? allFindings("kql", run, query) : allFindings("default", run, query);
    const encoder = new TextEncoder();
    let separator = "[";
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Throws (failing the download) if detection reran meanwhile: a short array must not look complete.
        const next = slices.next();
        if (next.done) {
          controller.enqueue(encoder.encode(separator === "[" ? "[]" : "]"));
          controller.close();
          return;
        }
        const text = next.value.map((finding) => JSON.stringify(finding)).join(",");
        controller.enqueue(encoder.encode(separator + text));
        separator = ",";
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  } catch (error) {
    return handleApiError(error);
  }
}
