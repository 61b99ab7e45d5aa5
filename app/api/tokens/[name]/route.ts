import { NextResponse } from "next/server";
import { revokeToken, tokenNameSchema } from "@/lib/server/accounts";
import { auditCaller } from "@/lib/server/audit-log";
import { authorize } from "@/lib/server/authorize";
import { handleApiError } from "@/lib/server/handle-api-error";

/** Revokes a token: it answers 401 from then on. */
export async function DELETE(request: Request, context: { params: Promise<{ name: string }> }) {
  try {
    const caller = await authorize(request, "administer");
    const revoked = await revokeToken(tokenNameSchema.parse((await context.params).name));
    await auditCaller(caller, "token.revoke", revoked.name);
    return NextResponse.json({ revoked: revoked.name });
  } catch (error) {
    return handleApiError(error);
  }
}
