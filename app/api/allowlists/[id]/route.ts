import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { auditCaller } from "@/lib/server/audit-log";
import { z } from "zod";
import { removeAllowlistEntry, updateAllowlistEntry } from "@/lib/server/allowlist-store";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { detectionAfterListChange } from "@/lib/server/detection-scheduler";

type Context = { params: Promise<{ id: string }> };

const entryIdSchema = z.string().min(1).max(64);
const updateBodySchema = z.object({ value: z.union([z.string(), z.number()]).transform(String) });

export async function PATCH(request: Request, context: Context) {
  try {
    const caller = await authorize(request, "edit");
    const id = entryIdSchema.parse((await context.params).id);
    const { value } = updateBodySchema.parse(await readJsonBody(request));
    const { entry, previousValue } = await updateAllowlistEntry(id, value);
    await auditCaller(caller, "allowlist.update", entry.list, { from: previousValue, to: entry.value });
    return NextResponse.json({ entry, detection: await detectionAfterListChange(entry.list) });
  } catch (error) {
    return handleApiError(error);
  }
}

export async function DELETE(request: Request, context: Context) {
  try {
    const caller = await authorize(request, "edit");
    const removed = await removeAllowlistEntry(entryIdSchema.parse((await context.params).id));
    await auditCaller(caller, "allowlist.remove", removed.list, { value: removed.value });
    return NextResponse.json({ detection: await detectionAfterListChange(removed.list) });
  } catch (error) {
    return handleApiError(error);
  }
}
