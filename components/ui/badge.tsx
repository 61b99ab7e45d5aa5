export function Badge({ tone, children }: { tone: "danger" | "warn" | "neutral" | "ok"; children: React.ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
