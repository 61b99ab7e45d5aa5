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

/** A size limit in characters, as error messages state it. */
export function describeCharLimit(chars: number): string {
  return `${Math.round(chars / 1048576)} MiB`;
}
