const TONE: Record<string, string> = {
  healthy: 'text-bg-success',
  degraded: 'text-bg-warning',
  unhealthy: 'text-bg-danger',
  maintenance: 'text-bg-secondary',
  unknown: 'text-bg-light border',
  success: 'text-bg-success',
  denied: 'text-bg-warning',
  error: 'text-bg-danger',
};

/** A server's status or an audit outcome as a coloured badge, with the word itself for screen readers. */
export function StatusBadge({ value }: { value: string }) {
  return <span class={`badge ${TONE[value] ?? 'text-bg-light border'}`}>{value}</span>;
}
