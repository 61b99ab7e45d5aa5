"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatTimestamp } from "@/components/ui/format";
import { sendApiRequest } from "@/components/ui/send-api-request";
import type { TokenView } from "@/lib/server/accounts";

export function TokensTable({ tokens }: { tokens: TokenView[] }) {
  if (tokens.length === 0) return <p className="notice">No ingest tokens yet.</p>;
  return (
    <div className="table-scroll">
      <table aria-label="Ingest tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Created by</th>
            <th scope="col">Created (UTC)</th>
            <th scope="col">Last used (UTC)</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <TokenRow key={token.id} token={token} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TokenRow({ token }: { token: TokenView }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function revoke() {
    setBusy(true);
    setError(null);
    const result = await sendApiRequest(`/api/tokens/${encodeURIComponent(token.name)}`, "DELETE");
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    router.refresh();
  }

  return (
    <tr>
      <td className="mono">{token.name}</td>
      <td>{token.createdBy}</td>
      <td className="mono nowrap">{formatTimestamp(token.createdAt)}</td>
      <td className="mono nowrap">{token.lastUsedAt ? formatTimestamp(token.lastUsedAt) : <span className="muted">never</span>}</td>
      <td className={confirming ? "confirm-cell" : "nowrap"}>
        {confirming ? (
          <span role="group" aria-label={`Confirm revoking ${token.name}`}>
            Revoke? Uploads sending it are refused from then on.{" "}
            <button type="button" className="button button-danger" disabled={busy} onClick={() => void revoke()}>
              Revoke
            </button>{" "}
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="link-button" style={{ color: "var(--danger)" }} aria-label={`Revoke token ${token.name}`} onClick={() => setConfirming(true)}>
            Revoke
          </button>
        )}
        {error && (
          <span className="field-error" role="alert">
            {error}
          </span>
        )}
      </td>
    </tr>
  );
}
