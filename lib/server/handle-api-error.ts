import "server-only";
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { TelemetryFileError } from "../ingest/telemetry-file-error";
import { isJsonContentType } from "../http/request-hygiene";
import { ApiError } from "./api-error";

/** The one error shape every API answers with: `{ error: { code, message, details? } }`. */
export function handleApiError(error: unknown): NextResponse {
  if (error instanceof ApiError) return errorResponse(error.status, error.code, error.message, error.details);
  if (error instanceof TelemetryFileError) return errorResponse(error.status, "invalid_file", error.message, error.details);
  if (error instanceof ZodError) {
    return errorResponse(422, "validation_failed", "The request is not valid.", error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })));
  }
  console.error(error);
  return errorResponse(500, "internal_error", "Something went wrong on the server. The error was logged.");
}

function errorResponse(status: number, code: string, message: string, details?: unknown): NextResponse {
  return NextResponse.json({ error: details === undefined ? { code, message } : { code, message, details } }, { status });
}

/** Parses a JSON body: 415 unless it is sent as JSON (a form post cannot pass for one), 400 for malformed JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as JSON, with Content-Type: application/json.");
  }
  try {
    return await request.json();
  } catch {
    throw new ApiError(400, "malformed_json", "The request body is not valid JSON.");
  }
}
