/** What a saved tuning change says: detection reruns off the request path, so its results come later. */
export const SAVED_AND_RERUNNING = "Saved. Detection is rerunning in the background; Findings shows the new results when it finishes.";

/** What a saved excluded-name list says: it hides findings as they are read, so no rerun is needed. */
export const SAVED_AND_SHOWN = "Saved. The findings already reflect it (excluded names are hidden as findings are read, no rerun needed).";
