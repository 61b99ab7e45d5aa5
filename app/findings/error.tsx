"use client";

export default function FindingsError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <h1>Findings could not be loaded</h1>
      <p>The server could not read the stored findings. The details are in the server log.</p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
