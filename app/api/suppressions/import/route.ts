import { NextResponse } from "next/server";
import { z } from "zod";
import { actorLabel } from "@/lib/auth/roles";
import { authorize } from "@/lib/server/authorize";
import { handleApiError } from "@/lib/server/handle-api-error";
import { importRefusal, importSuppressions, readImportFile } from "@/lib/server/tuning-transfer-store";
import { parseSuppressions, TRANSFER_FORMATS } from "@/lib/tuning/tuning-transfer";

const importQuerySchema = z.object({ format: z.enum(TRANSFER_FORMATS, { error: "format must be json or csv" }).optional() });

/**
 * Imports a suppressions export (analyst, admin): the file is the body, as text/csv or
 * application/json (or named by `?format=`). All or nothing: 200 `{ added, skipped }` (an entry
 * identical to one already stored is skipped), or 422 with `error.details.errors: [{ line, message }]`
 * and nothing added. Each entry is added as POST /api/suppressions adds it: by the importer, with
 * its history and audit entry, applied to the stored findings at once.
 */
export async function POST(request: Request) {
  try {
    const caller = await authorize(request, "edit");
    const { format } = importQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const file = await readImportFile(request, format);
    const parsed = parseSuppressions(file.text, file.format);
    if (!parsed.ok) throw importRefusal(parsed);
    return NextResponse.json(importSuppressions(parsed.value, { label: actorLabel(caller.actor), address: caller.address }));
  } catch (error) {
    return handleApiError(error);
  }
}
