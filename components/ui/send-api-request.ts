/** What a request to our API came to: the answer's body, or the message to show the user (status 0: no answer). */
export type ApiOutcome<Body> = { ok: true; body: Body } | { ok: false; status: number; message: string };

/**
 * Sends a request to this site's API, with `body` as JSON when given. Never throws: a refusal
 * resolves to the server's message (for a 422, followed by what was wrong with each field), and a
 * network failure to a message saying so.
 */
export async function sendApiRequest<Body = unknown>(url: string, method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", body?: unknown): Promise<ApiOutcome<Body>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, message: "The server could not be reached." };
  }
  const payload = await response.json().catch(() => null);
  if (response.ok) return { ok: true, body: payload as Body };
  return { ok: false, status: response.status, message: refusalMessage(payload, response.status) };
}

/** The message of our one error shape, `{ error: { code, message, details? } }`. */
function refusalMessage(payload: unknown, status: number): string {
  const error = (payload as { error?: { message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.message !== "string") return `The server answered ${status}.`;
  // A 422's details name each invalid field: [{ path, message }].
  const fieldMessages =
    status === 422 && Array.isArray(error.details)
      ? error.details.map((detail: { message?: unknown }) => detail?.message).filter((message): message is string => typeof message === "string")
      : [];
  return [error.message, ...fieldMessages].join(" ");
}
