import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { z } from "zod";
import { eventIdsSchema } from "@/lib/server/event-lookup";
import { eventsByIds } from "@/lib/server/event-store";
import { handleApiError } from "@/lib/server/handle-api-error";

const eventsQuerySchema = z.object({ ids: eventIdsSchema });

/** The stored events with the given ids, in time order. */
export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    const { ids } = eventsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    return NextResponse.json(eventsByIds(ids));
  } catch (error) {
    return handleApiError(error);
  }
}
