import { z } from "zod";
import { authorize } from "@/lib/server/authorize";
import { handleApiError } from "@/lib/server/handle-api-error";
import { exportedSuppressions } from "@/lib/server/tuning-transfer-store";
import { suppressionsCsv, suppressionsJson, TRANSFER_FORMATS } from "@/lib/tuning/tuning-transfer";

const exportQuerySchema = z.object({ format: z.enum(TRANSFER_FORMATS, { error: "format must be json or csv" }).default("json") });

/**
 * Every suppression, oldest first, as a download: `format=json` (default) or `format=csv`
 * (formula cells neutralised). POST /api/suppressions/import reads either back.
 */
export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    const { format } = exportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const entries = exportedSuppressions();
    return new Response(format === "csv" ? suppressionsCsv(entries) : suppressionsJson(entries), {
      // The format is one of two fixed words (the schema), so it is safe in the header.
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="cipherwatch-suppressions.${format}"`,
      },
    });
  } catch (error) {
    return handleApiError(error);
  }
}
