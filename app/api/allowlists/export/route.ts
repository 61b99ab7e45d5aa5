import { z } from "zod";
import { authorize } from "@/lib/server/authorize";
import { handleApiError } from "@/lib/server/handle-api-error";
import { exportedLists } from "@/lib/server/tuning-transfer-store";
import { listsCsv, listsJson, TRANSFER_FORMATS } from "@/lib/tuning/tuning-transfer";

const exportQuerySchema = z.object({ format: z.enum(TRANSFER_FORMATS, { error: "format must be json or csv" }).default("json") });

/**
 * The four lists of the seed query as a download: `format=json` (default; `{ format, version,
 * lists }`) or `format=csv` (columns list,value; formula cells neutralised). POST
 * /api/allowlists/import reads either back.
 */
export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    const { format } = exportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const lists = await exportedLists();
    return new Response(format === "csv" ? listsCsv(lists) : listsJson(lists), {
      // The format is one of two fixed words (the schema), so it is safe in the header.
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="cipherwatch-lists.${format}"`,
      },
    });
  } catch (error) {
    return handleApiError(error);
  }
}
