import { ApiError } from "@/lib/server/api-error";
import { authorize } from "@/lib/server/authorize";
import { readDetectionRun } from "@/lib/server/detection-settings";
import { findingIdSchema, getFinding } from "@/lib/server/findings-store";
import { handleApiError } from "@/lib/server/handle-api-error";
import { FINDING_NOT_FOUND_MESSAGE, triageDetail } from "@/lib/server/triage-store";
import { findingReport } from "@/lib/triage/finding-report";

type Context = { params: Promise<{ id: string }> };

/** A finding of the current run as a Markdown report for a ticket (lib/triage/finding-report), as a download. */
export async function GET(request: Request, context: Context) {
  try {
    await authorize(request, "read");
    const id = findingIdSchema.parse((await context.params).id);
    const detail = await getFinding(id, await readDetectionRun());
    if (!detail) throw new ApiError(404, "finding_not_found", FINDING_NOT_FOUND_MESSAGE);
    return new Response(findingReport(detail, triageDetail(id)), {
      // The id is 16 hex digits (findingIdSchema), so it is safe in the header.
      headers: { "content-type": "text/markdown; charset=utf-8", "content-disposition": `attachment; filename="finding-${id}.md"` },
    });
  } catch (error) {
    return handleApiError(error);
  }
}
