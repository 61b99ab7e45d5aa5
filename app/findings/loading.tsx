export default function Loading() {
  return (
    <div role="status" aria-label="Loading">
      <h1>Findings</h1>
      <div className="skeleton" style={{ width: "40%" }} />
      <div className="skeleton" />
      <div className="skeleton" />
      <div className="skeleton" />
    </div>
  );
}
