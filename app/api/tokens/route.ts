import { NextResponse } from "next/server";
import { z } from "zod";
import { actorLabel } from "@/lib/auth/roles";
import { createToken, listTokens, tokenNameSchema } from "@/lib/server/accounts";
import { auditCaller } from "@/lib/server/audit-log";
import { authorize } from "@/lib/server/authorize";
import { handleApiError, readJsonBody } from "@/lib/server/handle-api-error";

/** Every ingest token (never the token itself): `[{ id, name, createdBy, createdAt, lastUsedAt }]`. Admins only. */
export async function GET(request: Request) {
  try {
    await authorize(request, "administer");
    return NextResponse.json(await listTokens());
  } catch (error) {
    return handleApiError(error);
  }
}

/** Creates an ingest token from `{ name }`: 201 with `{ token, secret }`; the secret is shown this once. */
export async function POST(request: Request) {
  try {
    const caller = await authorize(request, "administer");
    const { name } = z.object({ name: tokenNameSchema }).parse(await readJsonBody(request));
    const created = await createToken(name, actorLabel(caller.actor));
    await auditCaller(caller, "token.create", created.token.name);
    return NextResponse.json(created, { status: 201, headers: { "cache-control": "no-store" } });
  } catch (error) {
    return handleApiError(error);
  }
}
