"use client";

import { useState } from "react";
import { sendApiRequest } from "@/components/ui/send-api-request";

/** Ends the session, then loads the sign-in page in full so the layout drops the signed-in sidebar. */
export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signOut() {
    setBusy(true);
    setError(null);
    const result = await sendApiRequest("/api/session", "DELETE");
    // 401: the session had already ended (expired, or the account was disabled).
    if (result.ok || result.status === 401) {
      window.location.assign("/login");
      return;
    }
    setBusy(false);
    setError(result.message);
  }

  return (
    <>
      <button type="button" className="button button-quiet" disabled={busy} onClick={() => void signOut()}>
        Sign out
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
