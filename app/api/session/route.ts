import { NextResponse } from "next/server";
import { z } from "zod";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import { guardApiRequest } from "@/lib/server/api-guard";
import { ApiError } from "@/lib/server/api-error";
import { auditCaller, recordAudit } from "@/lib/server/audit-log";
import { authorize } from "@/lib/server/authorize";
import { requestAddress } from "@/lib/server/client-address-stamp";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";
import { signIn, signOut } from "@/lib/server/sessions";

const signInBodySchema = z.object({ username: z.string().max(200), password: z.string().max(1024) });

// One per server process, kept across module reloads in development.
const globalForThrottle = globalThis as unknown as { cipherwatchLoginThrottle?: LoginThrottle };
const throttle = (globalForThrottle.cipherwatchLoginThrottle ??= new LoginThrottle());

/** The signed-in account: `{ username, role }`. */
export async function GET(request: Request) {
  try {
    const { actor } = await authorize(request, "read");
    return NextResponse.json(actor.kind === "user" ? { username: actor.username, role: actor.role } : null);
  } catch (error) {
    return handleApiError(error);
  }
}

/**
 * Signs in with `{ username, password }`: 200 with the session cookie, 401 for any wrong pair
 * (the same for an unknown user), 429 after repeated failures for the username or the address.
 */
export async function POST(request: Request) {
  try {
    guardApiRequest(request);
    const { username, password } = signInBodySchema.parse(await readJsonBody(request));
    const address = requestAddress(request);
    const retryAfter = throttle.attempt(username, address);
    if (retryAfter > 0) {
      // Not audited: each failure that led here was, and an anonymous flood must not grow the log.
      const refusal = handleApiError(new ApiError(429, "too_many_attempts", `Too many failed sign-ins: try again in ${retryAfter} s.`));
      refusal.headers.set("retry-after", String(retryAfter));
      return refusal;
    }
    const signedIn = await signIn(username, password, request.headers);
    if (!signedIn) {
      // Under the name as sign-in compares it, so filtering the log by an account finds guesses at it in any case.
      const tried = username.trim().toLowerCase();
      await recordAudit({ actor: tried, action: "session.sign_in_failed", address, detail: { reason: "wrong username or password", ...(tried === username ? {} : { typed: username }) } });
      throw new ApiError(401, "invalid_credentials", "Wrong username or password.");
    }
    throttle.succeeded(username, address);
    const { account } = signedIn;
    await recordAudit({ actor: account.username, action: "session.sign_in", address });
    const response = NextResponse.json({ username: account.username, role: account.role });
    for (const cookie of signedIn.setCookies) response.headers.append("set-cookie", cookie);
    return response;
  } catch (error) {
    return handleApiError(error);
  }
}

/** Signs out: the session ends and its cookie is cleared. */
export async function DELETE(request: Request) {
  try {
    const caller = await authorize(request, "read");
    const cleared = await signOut(request.headers);
    await auditCaller(caller, "session.sign_out");
    const response = NextResponse.json({ signedOut: true });
    for (const cookie of cleared) response.headers.append("set-cookie", cookie);
    return response;
  } catch (error) {
    return handleApiError(error);
  }
}
