/**
 * What the server answers at all: only the host names it serves (DNS rebinding), no change
 * requested by another site's page (CSRF), JSON bodies only as JSON, and pages under a CSP that
 * runs no script without this response's nonce.
 */
import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";

/** A GET with a Host header of our choosing (browsers and Playwright set it from the URL). */
function getWithHost(baseURL: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, baseURL);
  return new Promise((resolve, reject) => {
    const sending = httpRequest({ hostname: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (response) => {
      let body = "";
      response.on("data", (part) => (body += part));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sending.on("error", reject);
    sending.end();
  });
}

test("a request for another host name is refused, pages and API alike", async ({ baseURL }) => {
  const page = await getWithHost(baseURL!, "/findings", "attacker.example");
  expect([page.status, page.body]).toEqual([400, "This server does not answer to that host name (set CW_ALLOWED_HOSTS to serve it)."]);
  const api = await getWithHost(baseURL!, "/api/datasets", "attacker.example:3217");
  expect(api.status).toBe(400);
  expect(JSON.parse(api.body).error.code).toBe("host_not_allowed");
  // A host it serves gets past this check to the next one: who is asking.
  expect((await getWithHost(baseURL!, "/api/datasets", "localhost")).status).toBe(401);
});

test("a change requested by another site's page is refused; JSON is read only as JSON", async ({ request }) => {
  const fromElsewhere = await request.post("/api/allowlists", { headers: { origin: "https://attacker.example" }, data: { list: "excludedBrowsers", value: "evil.exe" } });
  expect(fromElsewhere.status()).toBe(403);
  expect((await fromElsewhere.json()).error).toEqual({ code: "cross_site_request", message: "A POST from another origin is refused." });
  const crossSite = await request.delete("/api/datasets/anything", { headers: { "sec-fetch-site": "cross-site" } });
  expect(crossSite.status()).toBe(403);
  // A read another site's page makes (an <img src> at the API) is refused; a link followed from elsewhere is not.
  expect((await request.get("/api/datasets", { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" } })).status()).toBe(403);
  expect((await request.get("/api/datasets", { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" } })).status()).toBe(200);
  // A form post, which a page may send anywhere without a preflight, cannot pass for JSON.
  const asForm = await request.put("/api/detection", { headers: { "content-type": "text/plain" }, data: JSON.stringify({ asOf: null }) });
  expect(asForm.status()).toBe(415);
  expect((await asForm.json()).error.code).toBe("unsupported_media_type");
  const entries = (await (await request.get("/api/allowlists")).json()) as { value: string }[];
  expect(entries.some((entry) => entry.value === "evil.exe")).toBe(false);
});

test("pages carry a nonce CSP without unsafe-inline scripts, and still work", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/findings");
  const headers = response!.headers();
  const policy = headers["content-security-policy"];
  const scriptSource = policy.split("; ").find((directive) => directive.startsWith("script-src "))!;
  expect(scriptSource).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'$/);
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain("base-uri 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect([headers["x-content-type-options"], headers["referrer-policy"]]).toEqual(["nosniff", "no-referrer"]);
  expect(headers["permissions-policy"]).toContain("camera=()");
  // Every inline script carries this response's nonce; a second page view gets another one.
  const nonce = /'nonce-([^']+)'/.exec(scriptSource)![1];
  const inlineNonces = await page.locator("script:not([src])").evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
  expect(inlineNonces.length).toBeGreaterThan(0);
  expect(new Set(inlineNonces)).toEqual(new Set([nonce]));
  const again = (await page.goto("/findings"))!.headers()["content-security-policy"];
  expect(again).not.toBe(policy);
  // The page is interactive (hydrated) under the policy: the theme toggle works.
  const toggle = page.getByRole("button", { name: /theme/ });
  const before = await page.locator("html").getAttribute("data-theme");
  await toggle.click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", before ?? "");
  expect(violations).toEqual([]);
});
