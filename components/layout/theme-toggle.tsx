"use client";

import { useEffect, useState } from "react";

type Theme = "light" | "dark";

function currentTheme(): Theme {
  // The bootstrap script in the layout has already resolved the saved or system theme.
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

/** Switches between light and dark; the choice is remembered in localStorage. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme | null>(null);
  useEffect(() => setTheme(currentTheme()), []);
  const next: Theme = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="button button-quiet"
      aria-label={`Switch to ${next} theme`}
      onClick={() => {
        document.documentElement.dataset.theme = next;
        localStorage.setItem("cw-theme", next);
        setTheme(next);
      }}
    >
      {theme === "dark" ? "☀ Light theme" : "☾ Dark theme"}
    </button>
  );
}
