import { NextResponse } from "next/server";
import { guardApiRequest } from "@/lib/server/api-guard";
import { allowlistEntryInputSchema } from "@/lib/detection/allowlist-entry-schema";
import { addAllowlistEntry, listAllowlistEntries } from "@/lib/server/allowlist-store";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { requestDetection } from "@/lib/server/detection-scheduler";

export async function GET(request: Request) {
  try {
    guardApiRequest(request);
    return NextResponse.json(await listAllowlistEntries());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Adds a value to a list and asks for a detection rerun; answers the entry and the detection status. */
export async function POST(request: Request) {
  try {
    guardApiRequest(request);
    const input = allowlistEntryInputSchema.parse(await readJsonBody(request));
    const entry = await addAllowlistEntry(input.list, input.value);
    return NextResponse.json({ entry, detection: await requestDetection() }, { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
