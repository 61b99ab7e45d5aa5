import { NextResponse } from "next/server";
import { guardApiRequest } from "@/lib/server/api-guard";
import { listDatasets } from "@/lib/server/dataset-store";
import { handleApiError } from "@/lib/server/handle-api-error";

export async function GET(request: Request) {
  try {
    guardApiRequest(request);
    return NextResponse.json(await listDatasets());
  } catch (error) {
    return handleApiError(error);
  }
}
