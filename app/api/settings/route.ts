import { NextResponse } from "next/server";
import { authorize } from "@/lib/server/authorize";
import { auditCaller } from "@/lib/server/audit-log";
import { detectionSettingsSchema } from "@/lib/detection/detection-settings";
import { readDetectionSettings, writeDetectionSettings } from "@/lib/server/detection-settings";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { requestDetection } from "@/lib/server/detection-scheduler";

export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    return NextResponse.json(await readDetectionSettings());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Replaces the detection settings (missing fields take their defaults) and asks for a detection rerun. */
export async function PUT(request: Request) {
  try {
    const caller = await authorize(request, "administer");
    const settings = detectionSettingsSchema.parse(await readJsonBody(request));
    const previous = await readDetectionSettings();
    await writeDetectionSettings(settings);
    await auditCaller(caller, "settings.update", null, { from: previous, to: settings });
    return NextResponse.json({ settings, detection: await requestDetection("everything") });
  } catch (error) {
    return handleApiError(error);
  }
}
