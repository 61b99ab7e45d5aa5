import { NextResponse } from "next/server";
import { z } from "zod";
import { isHidingList } from "@/lib/detection/detection-lists";
import { auditCaller } from "@/lib/server/audit-log";
import { authorize } from "@/lib/server/authorize";
import { detectionAfterListChange, detectionStatus } from "@/lib/server/detection-scheduler";
import { handleApiError } from "@/lib/server/handle-api-error";
import { importLists, importRefusal, LIST_IMPORT_MODES, readImportFile } from "@/lib/server/tuning-transfer-store";
import { parseLists, TRANSFER_FORMATS } from "@/lib/tuning/tuning-transfer";

const importQuerySchema = z.object({
  format: z.enum(TRANSFER_FORMATS, { error: "format must be json or csv" }).optional(),
  mode: z.enum(LIST_IMPORT_MODES, { error: "mode must be merge or replace" }).default("merge"),
});

/**
 * Imports a lists export (analyst, admin): the file is the body, as text/csv or application/json
 * (or named by `?format=`). `mode=merge` (default) adds the values a list lacks; `mode=replace`
 * makes each list the file names exactly its values. All or nothing: 200 `{ added, skipped,
 * removed? (replace), lists (the lists changed), detection }`, or 422 with
 * `error.details.errors: [{ line, message }]` and nothing changed. A rerun follows as after an
 * edit (none when only excluded-name lists changed).
 */
export async function POST(request: Request) {
  try {
    const caller = await authorize(request, "edit");
    const { format, mode } = importQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const file = await readImportFile(request, format);
    const parsed = parseLists(file.text, file.format);
    if (!parsed.ok) throw importRefusal(parsed);
    const { changes, ...counts } = await importLists(parsed.value, mode);
    for (const change of changes) {
      if (change.added.length > 0) await auditCaller(caller, "allowlist.add", change.list, { values: change.added, import: mode });
      if (change.removed.length > 0) await auditCaller(caller, "allowlist.remove", change.list, { values: change.removed, import: mode });
    }
    // One rerun covers every list: asked for by a list detection computes with, if one changed.
    const rerunFor = changes.find((change) => !isHidingList(change.list)) ?? changes[0];
    const detection = rerunFor ? await detectionAfterListChange(rerunFor.list) : await detectionStatus();
    return NextResponse.json({ ...counts, lists: changes.map((change) => change.list), detection });
  } catch (error) {
    return handleApiError(error);
  }
}
