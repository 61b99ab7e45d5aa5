/** What a saved tuning change says: detection reruns off the request path, so its results come later. */
export const SAVED_AND_RERUNNING = "Saved. Detection is rerunning in the background; Findings shows the new results when it finishes.";
