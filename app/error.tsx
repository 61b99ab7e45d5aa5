"use client";

export default function AppError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <h1>This page could not be loaded</h1>
      <p>The server ran into an error. The details are in the server log.</p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
