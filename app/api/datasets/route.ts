import { NextResponse } from "next/server";
import { listDatasets } from "@/lib/server/dataset-store";
import { handleApiError } from "@/lib/server/handle-api-error";

export async function GET() {
  try {
    return NextResponse.json(await listDatasets());
  } catch (error) {
    return handleApiError(error);
  }
}
