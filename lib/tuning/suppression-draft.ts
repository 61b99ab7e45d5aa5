/** The suppression editor's fields as typed (lists comma-separated), shared by the Tuning page that may prefill them. Pure. */
export type SuppressionDraft = Record<"processName" | "processPath" | "sha256" | "remoteIp" | "remotePort" | "remoteDomain" | "deviceName" | "accountName" | "reason" | "expiresAt", string>;

export const EMPTY_DRAFT: SuppressionDraft = { processName: "", processPath: "", sha256: "", remoteIp: "", remotePort: "", remoteDomain: "", deviceName: "", accountName: "", reason: "", expiresAt: "" };

