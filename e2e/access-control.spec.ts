/**
 * The role matrix over real HTTP: every API route, for an anonymous caller, each role and an
 * ingest token, allowed or refused on the server. Also token scope and revocation, the CSRF
 * rule for cookie-authenticated changes, the sign-in limit, the cookie's flags and the audit log.
 */
import { expect, test, type APIRequestContext, type PlaywrightWorkerArgs } from "@playwright/test";
import { E2E_ACCOUNTS, storageStateOf, type E2eRole } from "./e2e-paths";

type Permission = "read" | "upload" | "edit" | "administer";
type Route = { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string; permission: Permission; data?: unknown; allowed: number };

// Each request is one the role may make but that changes nothing (unknown ids, invalid bodies):
// `allowed` is the status an authorised caller gets, from the handler itself.
const MISSING = "c0000000000000000000000000";
const MISSING_SUPPRESSION = "0123456789abcdef0123456789abcdef";
const ROUTES: Route[] = [
  { method: "GET", path: "/api/findings", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/findings/0000000000000000", permission: "read", allowed: 404 },
  { method: "PATCH", path: "/api/findings/0000000000000000", permission: "edit", data: { status: "investigating" }, allowed: 404 },
  { method: "PATCH", path: "/api/findings", permission: "edit", data: { ids: ["0000000000000000"], change: { status: "investigating" } }, allowed: 404 },
  { method: "GET", path: "/api/findings/0000000000000000/report", permission: "read", allowed: 404 },
  { method: "GET", path: "/api/views", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/suppressions", permission: "read", allowed: 200 },
  { method: "POST", path: "/api/suppressions", permission: "edit", data: { conditions: {}, reason: "x" }, allowed: 422 },
  { method: "GET", path: `/api/suppressions/${MISSING_SUPPRESSION}`, permission: "read", allowed: 404 },
  { method: "PATCH", path: `/api/suppressions/${MISSING_SUPPRESSION}`, permission: "edit", data: { reason: "x" }, allowed: 404 },
  { method: "DELETE", path: `/api/suppressions/${MISSING_SUPPRESSION}`, permission: "edit", allowed: 404 },
  { method: "POST", path: "/api/suppressions/preview", permission: "edit", data: { removes: MISSING_SUPPRESSION }, allowed: 404 },
  { method: "POST", path: "/api/views", permission: "read", data: { name: "" }, allowed: 422 },
  { method: "DELETE", path: "/api/views/999999", permission: "read", allowed: 404 },
  { method: "POST", path: "/api/findings/0000000000000000/notes", permission: "edit", data: { text: "seen" }, allowed: 404 },
  { method: "GET", path: "/api/events?ids=1", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/export/kql?variant=series", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/export/sigma", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/suppressions/export?format=csv", permission: "read", allowed: 200 },
  { method: "POST", path: "/api/suppressions/import?format=json", permission: "edit", data: { format: "not ours" }, allowed: 422 },
  { method: "GET", path: "/api/allowlists/export", permission: "read", allowed: 200 },
  { method: "POST", path: "/api/allowlists/import?format=json", permission: "edit", data: { format: "not ours" }, allowed: 422 },
  { method: "GET", path: "/api/datasets", permission: "read", allowed: 200 },
  { method: "GET", path: `/api/datasets/${MISSING}`, permission: "read", allowed: 404 },
  { method: "GET", path: "/api/settings", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/allowlists", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/detection", permission: "read", allowed: 200 },
  { method: "GET", path: "/api/session", permission: "read", allowed: 200 },
  { method: "POST", path: "/api/ingest", permission: "upload", data: "just some words\nmore words\n", allowed: 422 },
  { method: "GET", path: "/api/uploads/00000000000000000000000000000000", permission: "upload", allowed: 404 },
  { method: "POST", path: "/api/allowlists", permission: "edit", data: { list: "excludedBrowsers", value: "" }, allowed: 422 },
  { method: "PATCH", path: `/api/allowlists/${MISSING}`, permission: "edit", data: { value: "x.exe" }, allowed: 404 },
  { method: "DELETE", path: `/api/allowlists/${MISSING}`, permission: "edit", allowed: 404 },
  { method: "PUT", path: "/api/settings", permission: "administer", data: { labMode: "yes" }, allowed: 422 },
  { method: "PUT", path: "/api/detection", permission: "administer", data: { asOf: "not a time" }, allowed: 422 },
  { method: "DELETE", path: `/api/datasets/${MISSING}`, permission: "administer", allowed: 404 },
  { method: "GET", path: "/api/users", permission: "administer", allowed: 200 },
  { method: "POST", path: "/api/users", permission: "administer", data: { username: "x" }, allowed: 422 },
  { method: "PATCH", path: "/api/users/nobody", permission: "administer", data: { disabled: true }, allowed: 404 },
  { method: "GET", path: "/api/tokens", permission: "administer", allowed: 200 },
  { method: "POST", path: "/api/tokens", permission: "administer", data: { name: "" }, allowed: 422 },
  { method: "DELETE", path: "/api/tokens/nobody", permission: "administer", allowed: 404 },
  { method: "GET", path: "/api/audit", permission: "administer", allowed: 200 },
];

const GRANTS: Record<E2eRole | "token", Permission[]> = {
  viewer: ["read"],
  analyst: ["read", "upload", "edit"],
  admin: ["read", "upload", "edit", "administer"],
  token: ["upload"],
};

function send(api: APIRequestContext, route: Route, headers: Record<string, string> = {}) {
  return api.fetch(route.path, { method: route.method, data: route.data, headers });
}

type Playwright = PlaywrightWorkerArgs["playwright"];

async function signedIn(playwright: Playwright, baseURL: string, role: E2eRole) {
  return playwright.request.newContext({ baseURL, storageState: storageStateOf(role), extraHTTPHeaders: { origin: baseURL } });
}

/** A client without the project's signed-in state (an option given as undefined is not filled in from the config). */
function signedOut(playwright: Playwright, baseURL: string, headers: Record<string, string>) {
  return playwright.request.newContext({ baseURL, storageState: undefined, extraHTTPHeaders: headers });
}

async function newToken(admin: APIRequestContext, name: string): Promise<string> {
  const created = await admin.post("/api/tokens", { data: { name } });
  expect(created.status()).toBe(201);
  return ((await created.json()) as { secret: string }).secret;
}

test("every route answers each role as the matrix says: 401 anonymous, 403 the wrong role", async ({ playwright, baseURL, request }) => {
  const anonymous = await signedOut(playwright, baseURL!, { origin: baseURL! });
  const token = await newToken(request, "matrix-token");
  const outcome: string[] = [];
  const expected: string[] = [];
  for (const route of ROUTES) {
    const label = `${route.method} ${route.path}`;
    const anonymousAnswer = await send(anonymous, route);
    outcome.push(`${label} anonymous ${anonymousAnswer.status()}`);
    expected.push(`${label} anonymous 401`);
    for (const role of ["viewer", "analyst", "admin"] as const) {
      const api = await signedIn(playwright, baseURL!, role);
      outcome.push(`${label} ${role} ${(await send(api, route)).status()}`);
      expected.push(`${label} ${role} ${GRANTS[role].includes(route.permission) ? route.allowed : 403}`);
      await api.dispose();
    }
    outcome.push(`${label} token ${(await send(anonymous, route, { authorization: `Bearer ${token}` })).status()}`);
    expected.push(`${label} token ${GRANTS.token.includes(route.permission) ? route.allowed : 403}`);
  }
  expect(outcome).toEqual(expected);
  const refusal = await send(anonymous, ROUTES[0]);
  expect(await refusal.json()).toEqual({ error: { code: "sign_in_required", message: "Sign in first: POST /api/session, or send an ingest token as Authorization: Bearer." } });
  await anonymous.dispose();
});

test("a token uploads under its own name, and answers 401 once revoked", async ({ playwright, baseURL, request }) => {
  const token = await newToken(request, "edr-export");
  const api = await signedOut(playwright, baseURL!, { authorization: `Bearer ${token}` });
  const csv = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId,InitiatingProcessFileName\n2024-03-01T09:00:00Z,token-host,ImageLoaded,bcrypt.dll,9,tok.exe\n";
  const upload = await api.post("/api/ingest", { headers: { "x-file-name": "by-token.csv" }, data: csv });
  expect(upload.status()).toBe(201);
  const { datasetId } = (await upload.json()) as { datasetId: string };
  const datasets = (await (await request.get("/api/datasets")).json()) as { id: string; uploadedBy: string }[];
  expect(datasets.find((dataset) => dataset.id === datasetId)?.uploadedBy).toBe("token:edr-export");
  // The token is not listed anywhere in clear.
  expect(JSON.stringify(await (await request.get("/api/tokens")).json())).not.toContain(token);

  expect((await request.delete("/api/tokens/edr-export")).status()).toBe(200);
  const revoked = await api.post("/api/ingest", { headers: { "x-file-name": "after-revoke.csv" }, data: csv });
  expect(revoked.status()).toBe(401);
  expect((await revoked.json()).error.code).toBe("invalid_token");
  expect((await request.delete(`/api/datasets/${datasetId}`)).status()).toBe(200);
  await api.dispose();
});

test("a change signed in by cookie needs an Origin or Sec-Fetch-Site: same-origin", async ({ playwright, baseURL }) => {
  // A signed-in browser state without the Origin header the dashboard's own pages send.
  const bare = await playwright.request.newContext({ baseURL, storageState: storageStateOf("admin"), extraHTTPHeaders: undefined });
  const change = { data: { list: "excludedBrowsers", value: "csrf.exe" } };
  const refused = await bare.post("/api/allowlists", change);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe("cross_site_request");
  expect((await bare.post("/api/allowlists", { ...change, headers: { origin: "https://attacker.example" } })).status()).toBe(403);
  const sameOrigin = await bare.post("/api/allowlists", { ...change, headers: { "sec-fetch-site": "same-origin" } });
  expect(sameOrigin.status()).toBe(201);
  const { entry } = (await sameOrigin.json()) as { entry: { id: string } };
  expect((await bare.delete(`/api/allowlists/${entry.id}`, { headers: { origin: baseURL! } })).status()).toBe(200);
  // Reads need neither header.
  expect((await bare.get("/api/allowlists")).status()).toBe(200);
  await bare.dispose();
});

test("sign-in: one answer for a wrong password and an unknown user, httpOnly SameSite cookie, sign-out ends the session", async ({ playwright, baseURL }) => {
  const api = await signedOut(playwright, baseURL!, { "x-forwarded-for": "198.51.100.20" });
  const wrong = await api.post("/api/session", { data: { username: "analyst", password: "not the password" } });
  const unknown = await api.post("/api/session", { data: { username: "no.such.user", password: "not the password" } });
  expect([wrong.status(), unknown.status()]).toEqual([401, 401]);
  expect(await wrong.json()).toEqual(await unknown.json());
  expect(await wrong.json()).toEqual({ error: { code: "invalid_credentials", message: "Wrong username or password." } });

  const signedIn = await api.post("/api/session", { data: E2E_ACCOUNTS.analyst });
  expect(signedIn.status()).toBe(200);
  const cookie = signedIn.headersArray().find((header) => header.name.toLowerCase() === "set-cookie" && header.value.startsWith("cipherwatch.session_token="))!.value;
  expect(cookie).toMatch(/; HttpOnly/);
  expect(cookie).toMatch(/; SameSite=Lax/);
  expect(cookie).toMatch(/; Max-Age=43200/);
  expect((await api.get("/api/session")).status()).toBe(200);
  expect((await api.delete("/api/session", { headers: { origin: baseURL! } })).status()).toBe(200);
  expect((await api.get("/api/session")).status()).toBe(401);
  await api.dispose();
});

test("sign-in is refused with 429 after repeated failures, per username and per address", async ({ playwright, baseURL, request }) => {
  const target = { username: "limit.target", password: "limit target password" };
  expect((await request.post("/api/users", { data: { ...target, role: "viewer" } })).status()).toBe(201);
  const from = (address: string) => signedOut(playwright, baseURL!, { "x-forwarded-for": address });
  // Five failures for one username, each from another address: the sixth try is refused even with the right password.
  for (let attempt = 0; attempt < 5; attempt++) {
    const api = await from(`198.51.100.${100 + attempt}`);
    expect((await api.post("/api/session", { data: { username: target.username, password: `wrong ${attempt}` } })).status()).toBe(401);
    await api.dispose();
  }
  const fresh = await from("198.51.100.200");
  const limited = await fresh.post("/api/session", { data: target });
  expect(limited.status()).toBe(429);
  expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(800);
  expect((await limited.json()).error.code).toBe("too_many_attempts");

  // Twenty failures from one address, each for another username: that address is refused for anyone.
  const spraying = await from("203.0.113.66");
  for (let attempt = 0; attempt < 20; attempt++) {
    expect((await spraying.post("/api/session", { data: { username: `spray${attempt}`, password: "Winter2026!!" } })).status()).toBe(401);
  }
  expect((await spraying.post("/api/session", { data: E2E_ACCOUNTS.analyst })).status()).toBe(429);
  // Another address still signs the same account in.
  expect((await fresh.post("/api/session", { data: E2E_ACCOUNTS.analyst })).status()).toBe(200);
  await Promise.all([fresh.dispose(), spraying.dispose()]);
});

test("the audit log records who did what from where, and exports CSV a spreadsheet will not run", async ({ playwright, baseURL, request }) => {
  // The client cannot name its own address: only the trusted proxy's X-Forwarded-For entry counts.
  const api = await signedOut(playwright, baseURL!, { "x-forwarded-for": "192.0.2.44", "x-cw-client-address": "6.6.6.6" });
  expect((await api.post("/api/session", { data: { username: "=HYPERLINK(\"http://x\")", password: "wrong password" } })).status()).toBe(401);
  await api.dispose();

  // Recorded under the name as sign-in compares it (lower-cased), with what was typed beside it.
  const log = (await (await request.get("/api/audit?action=session.sign_in_failed&actor=%3Dhyperlink(%22http%3A%2F%2Fx%22)")).json()) as { entries: { actor: string; action: string; address: string; detail: unknown }[]; total: number };
  expect(log.total).toBe(1);
  expect(log.entries[0]).toMatchObject({ actor: '=hyperlink("http://x")', action: "session.sign_in_failed", address: "192.0.2.44", detail: { reason: "wrong username or password", typed: '=HYPERLINK("http://x")' } });

  const csv = await request.get("/api/audit?action=session.sign_in_failed&format=csv");
  expect(csv.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  const text = await csv.text();
  expect(text.split("\n")[0]).toBe("at,actor,action,target,address,detail");
  expect(text).toContain(`,"'=hyperlink(""http://x"")",session.sign_in_failed,,192.0.2.44,`);
  expect(text).not.toMatch(/(^|,)"?=hyperlink/im);

  const signIns = (await (await request.get("/api/audit?action=session.sign_in&actor=admin")).json()) as { total: number };
  expect(signIns.total).toBeGreaterThanOrEqual(1);
});
