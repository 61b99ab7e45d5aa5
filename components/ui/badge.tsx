export function Badge({ tone, children }: { tone: "danger" | "neutral" | "ok"; children: React.ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
