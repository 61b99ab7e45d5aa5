/** API steps the browser tests share: waiting for detection, finding a finding. */
import { expect, type APIRequestContext } from "@playwright/test";

/** Waits until detection reflects every change so far. */
export async function detectionSettled(request: APIRequestContext) {
  await expect
    .poll(
      async () => {
        const status = (await (await request.get("/api/detection")).json()) as { state: string; pending: boolean };
        return status.state === "idle" && !status.pending;
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe(true);
}

/** The id of the one finding of a device's process, any severity and status. */
export async function findingId(request: APIRequestContext, device: string, process: string): Promise<string> {
  const query = new URLSearchParams({ device, process, severity: "all", status: "all" });
  const found = (await (await request.get(`/api/findings?${query}`)).json()) as { id: string }[];
  expect(found).toHaveLength(1);
  return found[0].id;
}
