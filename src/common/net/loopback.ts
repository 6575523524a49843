/** The names a URL's hostname has for this machine's loopback interface (IPv6 in URL brackets). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL hostname (lower-case, as `new URL` gives it) names the loopback interface. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}
