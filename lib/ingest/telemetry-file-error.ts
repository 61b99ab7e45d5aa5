/** A whole file that cannot be ingested (wrong format, not telemetry, too large). Maps to a 4xx. */
export class TelemetryFileError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415 | 422 = 422,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "TelemetryFileError";
  }
}
