"use client";

import { useId, useState } from "react";
import { truncateCodePoints } from "@/lib/text/hidden-characters";
import { EventText } from "./event-text";

/**
 * Shows a long, attacker-controlled string as text (see EventText), cut to `limit` code points
 * with the full value one click away.
 */
export function TruncatedText({ text, limit = 60, label = "value" }: { text: string; limit?: number; label?: string }) {
  const [expanded, setExpanded] = useState(false);
  const id = useId();
  if (text === "") return <span className="muted">(empty)</span>;
  const cut = truncateCodePoints(text, limit);
  if (!cut.truncated) {
    return (
      <span className="mono">
        <EventText text={text} />
      </span>
    );
  }
  return (
    <span className="truncated">
      <span id={id} className="mono">
        <EventText text={expanded ? text : cut.text} />
        {expanded ? "" : "…"}
      </span>{" "}
      <button type="button" className="link-button" aria-expanded={expanded} aria-controls={id} onClick={() => setExpanded(!expanded)}>
        {expanded ? "less" : `full ${label}`}
      </button>
    </span>
  );
}
