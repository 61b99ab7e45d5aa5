import { z } from "zod";
import { KQL_EXPORT_VARIANTS, tunedDetectionKql } from "@/lib/export/tuned-kql";
import { loadDetectionLists } from "@/lib/server/allowlist-store";
import { authorize } from "@/lib/server/authorize";
import { readDetectionSettings } from "@/lib/server/detection-settings";
import { suppressionsInForce } from "@/lib/server/suppression-store";
import { handleApiError } from "@/lib/server/handle-api-error";

const kqlExportQuerySchema = z.object({
  variant: z.enum(KQL_EXPORT_VARIANTS, { error: "variant must be detection or series" }).default("detection"),
  /** Whether the user's DeviceNetworkEvents has SentBytes and ReceivedBytes (Defender does not document them). */
  bytes: z.enum(["yes", "no"], { error: "bytes must be yes or no" }).default("no"),
});

/**
 * The seed query as KQL for Sentinel or Defender Advanced Hunting, with the current lists,
 * settings and suppressions in force compiled in (lib/export/tuned-kql), as a download: `variant=detection` (default), the
 * corrected detection; `variant=series`, the hunting query whose CSV result Cipherwatch scores.
 * `bytes=yes` when the table has SentBytes and ReceivedBytes.
 */
export async function GET(request: Request) {
  try {
    await authorize(request, "read");
    const { variant, bytes } = kqlExportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const [lists, settings] = await Promise.all([loadDetectionLists(), readDetectionSettings()]);
    const kql = tunedDetectionKql({ lists, settings, variant, tableHasBytes: bytes === "yes", suppressions: suppressionsInForce() });
    return new Response(kql, {
      // The variant is one of two fixed words (the schema), so it is safe in the header.
      headers: { "content-type": "text/plain; charset=utf-8", "content-disposition": `attachment; filename="cipherwatch-${variant}.kql"` },
    });
  } catch (error) {
    return handleApiError(error);
  }
}
