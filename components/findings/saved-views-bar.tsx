"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useId, useState } from "react";
import { sendApiRequest } from "@/components/ui/send-api-request";
import { viewQuery, type ListView } from "@/lib/triage/saved-views";

interface Props {
  builtIn: ListView[];
  saved: (ListView & { id: number })[];
}

/** The findings list's views: the built-in ones and the user's own, as links; the current view can be saved under a name. */
export function SavedViewsBar({ builtIn, saved }: Props) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const current = viewQuery(searchParams.toString());
  const id = useId();
  const [name, setName] = useState("");
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);

  async function save(event: React.FormEvent) {
    event.preventDefault();
    const result = await sendApiRequest("/api/views", "POST", { name, query: current });
    if (!result.ok) return setMessage({ tone: "error", text: result.message });
    setName("");
    setMessage({ tone: "ok", text: "View saved." });
    router.refresh();
  }

  async function remove(view: { id: number; name: string }) {
    const result = await sendApiRequest(`/api/views/${view.id}`, "DELETE");
    setMessage(result.ok ? { tone: "ok", text: `View ${JSON.stringify(view.name)} deleted.` } : { tone: "error", text: result.message });
    router.refresh();
  }

  const link = (view: ListView) => (
    <Link href={view.query ? `/findings?${view.query}` : "/findings"} className="view-link" aria-current={view.query === current ? "page" : undefined}>
      {view.name}
    </Link>
  );
  return (
    <nav className="views-bar" aria-label="Saved views">
      <span className="muted">Views:</span>
      <ul>
        {builtIn.map((view) => (
          <li key={view.name}>{link(view)}</li>
        ))}
        {saved.map((view) => (
          <li key={view.id}>
            {link(view)}
            <button type="button" className="link-button" aria-label={`Delete view ${view.name}`} onClick={() => remove(view)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={save} className="inline-form" style={{ flex: "0 1 auto" }}>
        <label htmlFor={`${id}-name`} className="visually-hidden">
          Name of this view
        </label>
        <input id={`${id}-name`} className="compact-input" value={name} maxLength={60} placeholder="Name this view" onChange={(event) => setName(event.target.value)} />
        <button type="submit" className="button button-quiet" disabled={name.trim() === ""}>
          Save view
        </button>
      </form>
      {message && (
        <span className={message.tone === "error" ? "field-error" : "muted"} role={message.tone === "error" ? "alert" : "status"}>
          {message.text}
        </span>
      )}
    </nav>
  );
}
