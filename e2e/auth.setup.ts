/**
 * Signs each role in once through POST /api/session and keeps its cookie, so the tests start
 * signed in (as admin unless a test says otherwise).
 */
import { expect, test as setup } from "@playwright/test";
import { E2E_ACCOUNTS, storageStateOf, type E2eRole } from "./e2e-paths";

for (const role of Object.keys(E2E_ACCOUNTS) as E2eRole[]) {
  setup(`sign in as ${role}`, async ({ playwright, baseURL }) => {
    const api = await playwright.request.newContext({ baseURL });
    const response = await api.post("/api/session", { data: E2E_ACCOUNTS[role] });
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ username: E2E_ACCOUNTS[role].username, role });
    await api.storageState({ path: storageStateOf(role) });
    await api.dispose();
  });
}
