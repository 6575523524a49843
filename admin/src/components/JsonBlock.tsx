/** A value from the API (often from an upstream) shown as JSON text: a text node, never parsed as HTML. */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre class="bg-body-tertiary border rounded p-2 small mb-0 overflow-auto" aria-label={label}>
      {value === undefined ? '(none)' : JSON.stringify(value, null, 2)}
    </pre>
  );
}
