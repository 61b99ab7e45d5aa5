import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { listDatasets } from "@/lib/server/dataset-store";
import { handleApiError } from "@/lib/server/handle-api-error";

export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    return NextResponse.json(await listDatasets());
  } catch (error) {
    return handleApiError(error);
  }
}
