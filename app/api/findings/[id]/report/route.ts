import { authorize } from "@/lib/server/authorize";
import { currentFinding } from "@/lib/server/current-finding";
import { findingIdSchema } from "@/lib/server/findings-store";
import { handleApiError } from "@/lib/server/handle-api-error";
import { triageDetail } from "@/lib/server/triage-store";
import { findingReport } from "@/lib/triage/finding-report";

type Context = { params: Promise<{ id: string }> };

/** A finding of the current run as a Markdown report for a ticket (lib/triage/finding-report), as a download. */
export async function GET(request: Request, context: Context) {
  try {
    await authorize(request, "read");
    const id = findingIdSchema.parse((await context.params).id);
    return new Response(findingReport(await currentFinding(id), triageDetail(id)), {
      // The id is 16 hex digits (findingIdSchema), so it is safe in the header.
      headers: { "content-type": "text/markdown; charset=utf-8", "content-disposition": `attachment; filename="finding-${id}.md"` },
    });
  } catch (error) {
    return handleApiError(error);
  }
}
