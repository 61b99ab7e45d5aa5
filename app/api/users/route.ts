import { NextResponse } from "next/server";
import { z } from "zod";
import { createAccount, listAccounts, passwordSchema, roleSchema, usernameSchema } from "@/lib/server/accounts";
import { auditCaller } from "@/lib/server/audit-log";
import { authorize } from "@/lib/server/authorize";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";

const createBodySchema = z.object({ username: usernameSchema, role: roleSchema, password: passwordSchema });

/** Every account: `[{ id, username, role, disabled, createdAt }]`. Admins only. */
export async function GET(request: Request) {
  try {
    await authorize(request, "administer");
    return NextResponse.json(await listAccounts());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Creates an account from `{ username, role, password }`: 201, or 409 when the name is taken. */
export async function POST(request: Request) {
  try {
    const caller = await authorize(request, "administer");
    const account = await createAccount(createBodySchema.parse(await readJsonBody(request)));
    await auditCaller(caller, "user.create", account.username, { role: account.role });
    return NextResponse.json(account, { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}
