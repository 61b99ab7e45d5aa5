import Link from "next/link";

export default function NotFound() {
  return (
    <div className="notice">
      <h1>Page not found</h1>
      <Link href="/findings">Go to findings</Link>
    </div>
  );
}
