"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { sendApiRequest } from "@/components/ui/send-api-request";
import { ROLES, type Role } from "@/lib/auth/roles";
import type { AccountView } from "@/lib/server/accounts";

export function CreateAccountForm({ minPasswordLength }: { minPasswordLength: number }) {
  const router = useRouter();
  const id = useId();
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("analyst");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setStatus(null);
    const result = await sendApiRequest<AccountView>("/api/users", "POST", { username, role, password });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setStatus(`Created ${result.body.username} (${result.body.role}). Give them their password by a channel of its own.`);
    setUsername("");
    setPassword("");
    router.refresh();
  }

  return (
    <form className="card" style={{ marginTop: 10 }} onSubmit={create} aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`} className="subheading" style={{ marginTop: 0 }}>
        New account
      </h3>
      <div className="toolbar" style={{ marginBottom: 0 }}>
        <div className="field">
          <label htmlFor={`${id}-username`}>Username</label>
          <input id={`${id}-username`} autoComplete="off" autoCapitalize="none" spellCheck={false} value={username} onChange={(event) => setUsername(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            placeholder={`At least ${minPasswordLength} characters`}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={busy}>
          Create account
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {status && (
        <p className="muted" role="status" style={{ marginBottom: 0 }}>
          {status}
        </p>
      )}
    </form>
  );
}
