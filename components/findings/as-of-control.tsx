"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatTimestamp } from "@/components/ui/format";

interface AsOfProps {
  asOf: string | null;
  source: "newest-event" | "user";
}

/** Shows the instant `ago(24h)` counts back from; `canEdit` (admins) adds the control that sets it. */
export function AsOfControl({ canEdit, ...current }: AsOfProps & { canEdit: boolean }) {
  if (canEdit) return <AsOfForm {...current} />;
  return (
    <div className="toolbar card" role="group" aria-label="Detection time">
      <AsOfSummary {...current} />
      <span className="muted" style={{ alignSelf: "center" }}>
        Only admins can change it.
      </span>
    </div>
  );
}

function AsOfSummary({ asOf, source }: AsOfProps) {
  return (
    <p style={{ margin: 0, alignSelf: "center" }}>
      As of <strong className="mono">{asOf ? `${formatTimestamp(asOf)} UTC` : "no events yet"}</strong>{" "}
      <span className="muted">({source === "user" ? "set by an admin" : "newest event in the store"})</span>
    </p>
  );
}

function AsOfForm({ asOf, source }: AsOfProps) {
  const router = useRouter();
  const [value, setValue] = useState(asOf ? asOf.slice(0, 19) : "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(next: string | null) {
    setBusy(true);
    setError(null);
    const response = await fetch("/api/detection", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ asOf: next === null ? null : `${next}Z` }),
    });
    setBusy(false);
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      setError(body?.error?.message ?? "The as-of time could not be saved.");
      return;
    }
    router.refresh();
  }

  return (
    <form
      className="toolbar card"
      aria-label="Detection time"
      onSubmit={(event) => {
        event.preventDefault();
        void save(value || null);
      }}
    >
      <AsOfSummary asOf={asOf} source={source} />
      <label className="field">
        <span>As of (UTC)</span>
        <input type="datetime-local" step="1" value={value} onChange={(event) => setValue(event.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? "as-of-error" : undefined} />
      </label>
      <button type="submit" className="button" disabled={busy || value === ""}>
        Apply
      </button>
      <button type="button" className="button button-quiet" disabled={busy || source !== "user"} onClick={() => void save(null)}>
        Use newest event
      </button>
      {error && (
        <p id="as-of-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
