import { SIGMA_EXPORT_FILE_NAME, SigmaExportError, sigmaRuleYaml } from "@/lib/export/sigma-rule";
import { loadDetectionLists } from "@/lib/server/allowlist-store";
import { ApiError } from "@/lib/server/api-error";
import { authorize } from "@/lib/server/authorize";
import { readDetectionSettings } from "@/lib/server/detection-settings";
import { handleApiError } from "@/lib/server/handle-api-error";

/**
 * The correlation as Sigma rules (lib/export/sigma-rule), with the current lists and settings
 * compiled in, as a download: two base rules, a temporal_ordered and an event_count correlation
 * in one YAML file, dated today (UTC). 409 when the lists cannot make a rule (no crypto library).
 */
export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    const [lists, settings] = await Promise.all([loadDetectionLists(), readDetectionSettings()]);
    const yaml = sigmaRuleYaml({ lists, settings, date: new Date().toISOString().slice(0, 10) });
    return new Response(yaml, {
      headers: { "content-type": "application/yaml; charset=utf-8", "content-disposition": `attachment; filename="${SIGMA_EXPORT_FILE_NAME}"` },
    });
  } catch (error) {
    return handleApiError(error instanceof SigmaExportError ? new ApiError(409, "cannot_export", error.message) : error);
  }
}
