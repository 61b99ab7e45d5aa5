import { NextResponse } from "next/server";
import { z } from "zod";
import { changeAccount, passwordSchema, roleSchema, usernameSchema } from "@/lib/server/accounts";
import { auditCaller } from "@/lib/server/audit-log";
import { authorize } from "@/lib/server/authorize";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";

const changeBodySchema = z
  .object({ disabled: z.boolean().optional(), role: roleSchema.optional(), password: passwordSchema.optional() })
  .refine((change) => change.disabled !== undefined || change.role !== undefined || change.password !== undefined, { error: "Send disabled, role or password." });

/**
 * Changes an account with any of `{ disabled, role, password }`, all or nothing: disabling or a
 * new password ends its sessions. The last enabled admin cannot be disabled or demoted (409).
 */
export async function PATCH(request: Request, context: { params: Promise<{ username: string }> }) {
  try {
    const caller = await authorize(request, "administer");
    const username = usernameSchema.parse((await context.params).username);
    const change = changeBodySchema.parse(await readJsonBody(request));
    const account = await changeAccount(username, change);
    if (change.role !== undefined) await auditCaller(caller, "user.set_role", username, { role: change.role });
    if (change.password !== undefined) await auditCaller(caller, "user.reset_password", username);
    if (change.disabled !== undefined) await auditCaller(caller, change.disabled ? "user.disable" : "user.enable", username);
    return NextResponse.json(account);
  } catch (error) {
    return handleApiError(error);
  }
}
