import { Badge } from "@/components/ui/badge";
import type { Confidence, Severity } from "@/lib/detection/severity-model";

const SEVERITY_TONE: Record<Severity, "danger" | "warn" | "neutral"> = { critical: "danger", high: "danger", medium: "warn", low: "neutral" };

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge tone={SEVERITY_TONE[severity]}>{severity === "critical" ? "Critical" : severity[0].toUpperCase() + severity.slice(1)}</Badge>;
}

export function ConfidenceText({ confidence }: { confidence: Confidence }) {
  return <span className="muted">{confidence} confidence</span>;
}
