export default function Loading() {
  return (
    <div role="status" aria-label="Loading">
      <div className="skeleton" style={{ width: "30%", height: 24 }} />
      <div className="skeleton" style={{ width: "60%" }} />
      <div className="skeleton" />
      <div className="skeleton" />
      <div className="skeleton" />
    </div>
  );
}
