"use client";

import { useId, useState } from "react";
import { sendApiRequest } from "@/components/ui/send-api-request";
import { safeNextPath } from "@/lib/http/safe-next-path";

/** Signs in, then loads the page first asked for in full, so the layout renders the signed-in sidebar. */
export function SignInForm({ next }: { next: string | undefined }) {
  const id = useId();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signIn(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await sendApiRequest("/api/session", "POST", { username, password });
    if (result.ok) {
      window.location.assign(safeNextPath(next));
      return;
    }
    setBusy(false);
    setError(result.message);
  }

  return (
    <form className="auth-form" onSubmit={signIn}>
      <div className="field">
        <label htmlFor={`${id}-username`}>Username</label>
        <input id={`${id}-username`} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus value={username} onChange={(event) => setUsername(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input id={`${id}-password`} name="password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
      </div>
      {error && (
        <p className="field-error" role="alert" style={{ margin: 0 }}>
          {error}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
