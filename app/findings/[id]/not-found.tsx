import Link from "next/link";

export default function FindingNotFound() {
  return (
    <div className="notice">
      <h1>Finding not found</h1>
      <p>It may have left the results after an allowlist change or a new upload.</p>
      <Link href="/findings">Back to findings</Link>
    </div>
  );
}
