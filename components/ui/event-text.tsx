import { Fragment } from "react";
import { revealHiddenCharacters } from "@/lib/text/hidden-characters";

/**
 * A string from an endpoint, as text: isolated from the text around it (a right-to-left
 * override cannot reorder what follows), with invisible and control characters shown as their
 * code points. React renders it as text nodes, so markup in it never executes.
 */
export function EventText({ text }: { text: string }) {
  return (
    <bdi className="event-text">
      {revealHiddenCharacters(text).map((segment, index) =>
        segment.kind === "text" ? (
          <Fragment key={index}>{segment.text}</Fragment>
        ) : (
          <span key={index} className="hidden-char" title={`Hidden character ${segment.codePoint}`}>
            {segment.codePoint}
          </span>
        ),
      )}
    </bdi>
  );
}
