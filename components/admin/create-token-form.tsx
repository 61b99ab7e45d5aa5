"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { sendApiRequest } from "@/components/ui/send-api-request";
import type { TokenView } from "@/lib/server/accounts";

/** Creates an ingest token and shows its secret this once: the server keeps only its hash. */
export function CreateTokenForm() {
  const router = useRouter();
  const id = useId();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await sendApiRequest<{ token: TokenView; secret: string }>("/api/tokens", "POST", { name });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setCreated({ name: result.body.token.name, secret: result.body.secret });
    setName("");
    router.refresh();
  }

  return (
    <div className="card" style={{ marginTop: 10 }}>
      <form onSubmit={create} aria-labelledby={`${id}-heading`}>
        <h3 id={`${id}-heading`} className="subheading" style={{ marginTop: 0 }}>
          New ingest token
        </h3>
        <div className="toolbar" style={{ marginBottom: 0 }}>
          <div className="field">
            <label htmlFor={`${id}-name`}>Token name</label>
            <input id={`${id}-name`} autoComplete="off" spellCheck={false} placeholder="e.g. edr-export" value={name} onChange={(event) => setName(event.target.value)} />
          </div>
          <button type="submit" className="button" disabled={busy}>
            Create token
          </button>
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
      {created && <NewTokenSecret name={created.name} secret={created.secret} onDone={() => setCreated(null)} />}
      <p className="muted" style={{ marginBottom: 4 }}>
        A token can upload telemetry and follow its uploads, nothing else. Send it as a bearer credential:
      </p>
      <code>curl -H &quot;Authorization: Bearer &lt;token&gt;&quot; --data-binary @file.csv http://host/api/ingest</code>
    </div>
  );
}

function NewTokenSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copyStatus, setCopyStatus] = useState<string | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopyStatus("Copied.");
    } catch {
      // The clipboard API needs a secure context (HTTPS or localhost) and the user's permission.
      setCopyStatus("The browser refused to copy: select the token and copy it by hand.");
    }
  }

  return (
    <div className="notice notice-ok secret-box" role="status">
      <strong>Copy this token now: it will not be shown again.</strong> <span className="muted">Token {name}:</span>
      <code data-testid="new-token">{secret}</code>
      <div className="row-actions">
        <button type="button" className="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Done
        </button>
        {copyStatus && <span className="muted">{copyStatus}</span>}
      </div>
    </div>
  );
}
