"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { formatTimestamp } from "@/components/ui/format";
import { sendApiRequest } from "@/components/ui/send-api-request";
import { ROLES, type Role } from "@/lib/auth/roles";
import type { AccountView } from "@/lib/server/accounts";

/** What PATCH /api/users/<username> takes. */
type AccountChange = { role: Role } | { disabled: boolean } | { password: string };

export function AccountsTable({ accounts, currentUsername, minPasswordLength }: { accounts: AccountView[]; currentUsername: string; minPasswordLength: number }) {
  return (
    <div className="table-scroll">
      <table aria-label="Accounts">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Created (UTC)</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((account) => (
            <AccountRow key={account.id} account={account} isCurrent={account.username === currentUsername} minPasswordLength={minPasswordLength} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AccountRow({ account, isCurrent, minPasswordLength }: { account: AccountView; isCurrent: boolean; minPasswordLength: number }) {
  const router = useRouter();
  // The role is saved with its own button: a select changes on each arrow key, and each change would be a request.
  const [role, setRole] = useState<Role>(account.role);
  const [resetting, setResetting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  async function change(body: AccountChange, done: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    setStatus(null);
    const result = await sendApiRequest(`/api/users/${encodeURIComponent(account.username)}`, "PATCH", body);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return false;
    }
    setStatus(done);
    router.refresh();
    return true;
  }

  async function saveRole() {
    // A refused change (the last admin) shows the role the account still has.
    if (!(await change({ role }, `${account.username} is now ${role}.`))) setRole(account.role);
  }

  return (
    <tr>
      <td>
        {account.username} {isCurrent && <span className="muted">(you)</span>}
      </td>
      <td>
        <div className="row-actions">
          <select className="compact-input" aria-label={`Role for ${account.username}`} value={role} disabled={busy} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          {role !== account.role && (
            <button type="button" className="button" disabled={busy} aria-label={`Save role for ${account.username}`} onClick={() => void saveRole()}>
              Save
            </button>
          )}
        </div>
      </td>
      <td>{account.disabled ? <Badge tone="neutral">disabled</Badge> : <Badge tone="ok">enabled</Badge>}</td>
      <td className="mono nowrap">{formatTimestamp(account.createdAt)}</td>
      <td>
        {resetting ? (
          <PasswordResetForm
            username={account.username}
            minPasswordLength={minPasswordLength}
            busy={busy}
            onSave={async (password) => {
              if (await change({ password }, `Password changed; ${account.username}'s sessions were ended.`)) setResetting(false);
            }}
            onCancel={() => setResetting(false)}
          />
        ) : (
          <div className="row-actions">
            <button
              type="button"
              className="link-button"
              style={account.disabled ? undefined : { color: "var(--danger)" }}
              disabled={busy}
              aria-label={`${account.disabled ? "Enable" : "Disable"} ${account.username}`}
              onClick={() => void change({ disabled: !account.disabled }, `${account.username} is ${account.disabled ? "enabled" : "disabled; their sessions were ended"}.`)}
            >
              {account.disabled ? "Enable" : "Disable"}
            </button>
            <button
              type="button"
              className="link-button"
              aria-label={`Reset password of ${account.username}`}
              onClick={() => {
                setError(null);
                setStatus(null);
                setResetting(true);
              }}
            >
              Reset password
            </button>
          </div>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {status && (
          <p className="muted" role="status" style={{ margin: "4px 0 0" }}>
            {status}
          </p>
        )}
      </td>
    </tr>
  );
}

interface PasswordResetFormProps {
  username: string;
  minPasswordLength: number;
  busy: boolean;
  onSave: (password: string) => Promise<void>;
  onCancel: () => void;
}

function PasswordResetForm({ username, minPasswordLength, busy, onSave, onCancel }: PasswordResetFormProps) {
  const [password, setPassword] = useState("");
  return (
    <form
      className="row-actions"
      onSubmit={(event) => {
        event.preventDefault();
        void onSave(password);
      }}
    >
      <input
        type="password"
        className="compact-input"
        aria-label={`New password for ${username}`}
        autoComplete="new-password"
        placeholder={`At least ${minPasswordLength} characters`}
        autoFocus
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
        }}
      />
      <button type="submit" className="button" disabled={busy}>
        Save
      </button>
      <button type="button" className="button button-quiet" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
