import "server-only";
import { ApiError } from "./api-error";
import { readDetectionRun } from "./detection-settings";
import { getFinding, type FindingDetail } from "./findings-store";
import { FINDING_NOT_FOUND_MESSAGE } from "./triage-store";

/** A finding of the current run, with its evidence; a 404 when the run has no such finding (the API's routes). */
export async function currentFinding(id: string): Promise<FindingDetail> {
  const detail = await getFinding(id, await readDetectionRun());
  if (!detail) throw new ApiError(404, "finding_not_found", FINDING_NOT_FOUND_MESSAGE);
  return detail;
}
