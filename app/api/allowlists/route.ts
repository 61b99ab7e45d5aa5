import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { auditCaller } from "@/lib/server/audit-log";
import { allowlistEntryInputSchema } from "@/lib/detection/allowlist-entry-schema";
import { addAllowlistEntry, listAllowlistEntries } from "@/lib/server/allowlist-store";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { detectionAfterListChange } from "@/lib/server/detection-scheduler";

export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    return NextResponse.json(await listAllowlistEntries());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Adds a value to a list (a rerun follows unless it is an excluded-name list); answers the entry and the detection status. */
export async function POST(request: Request) {
  try {
    const caller = await authorize(request, "edit");
    const input = allowlistEntryInputSchema.parse(await readJsonBody(request));
    const entry = await addAllowlistEntry(input.list, input.value);
    await auditCaller(caller, "allowlist.add", entry.list, { value: entry.value });
    return NextResponse.json({ entry, detection: await detectionAfterListChange(entry.list) }, { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
