import { NextResponse } from "next/server";
import { guardApiRequest } from "@/lib/server/api-guard";
import { detectionSettingsSchema } from "@/lib/detection/detection-settings";
import { readDetectionSettings, writeDetectionSettings } from "@/lib/server/detection-settings";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { requestDetection } from "@/lib/server/detection-scheduler";

export async function GET(request: Request) {
  try {
    guardApiRequest(request);
    return NextResponse.json(await readDetectionSettings());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Replaces the detection settings (missing fields take their defaults) and asks for a detection rerun. */
export async function PUT(request: Request) {
  try {
    guardApiRequest(request);
    const settings = detectionSettingsSchema.parse(await readJsonBody(request));
    await writeDetectionSettings(settings);
    return NextResponse.json({ settings, detection: await requestDetection() });
  } catch (error) {
    return handleApiError(error);
  }
}
