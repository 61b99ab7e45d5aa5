import { NextResponse } from "next/server";
import { auditCsv, auditQuerySchema, listAuditEntries } from "@/lib/server/audit-log";
import { authorize } from "@/lib/server/authorize";
import { handleApiError } from "@/lib/server/handle-api-error";

/**
 * The audit log, newest first, filtered by `actor`, `action`, `from` and `to` (ISO times): a page
 * of 100 as JSON (`page`), or with `format=csv` every matching entry as a CSV download. Admins only.
 */
export async function GET(request: Request) {
  try {
    await authorize(request, "administer");
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const { format, ...filters } = params;
    const query = auditQuerySchema.parse(filters);
    if (format !== "csv") return NextResponse.json(await listAuditEntries(query));
    const lines = auditCsv(query);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
    });
    return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="cipherwatch-audit.csv"' } });
  } catch (error) {
    return handleApiError(error);
  }
}
