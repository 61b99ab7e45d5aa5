/** A duration as findings show it: seconds to 3 decimals under 10 s, then seconds, minutes, hours. */
export function formatSeconds(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 120) return `${(seconds / 60).toFixed(1)} min`;
  return `${seconds.toFixed(seconds < 10 ? 3 : 1)} s`;
}
