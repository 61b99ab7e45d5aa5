"use client";

import { useId, useState } from "react";

/**
 * Shows a long, attacker-controlled string as plain text, cut to `limit` characters with the
 * full value one click away. React renders it as a text node: markup in it never executes.
 */
export function TruncatedText({ text, limit = 60, label = "value" }: { text: string; limit?: number; label?: string }) {
  const [expanded, setExpanded] = useState(false);
  const id = useId();
  if (text === "") return <span className="muted">(empty)</span>;
  if (text.length <= limit) return <span className="mono">{text}</span>;
  return (
    <span className="truncated">
      <span id={id} className="mono">
        {expanded ? text : `${text.slice(0, limit)}…`}
      </span>{" "}
      <button type="button" className="link-button" aria-expanded={expanded} aria-controls={id} onClick={() => setExpanded(!expanded)}>
        {expanded ? "less" : `full ${label}`}
      </button>
    </span>
  );
}
