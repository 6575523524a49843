/** Where an audited call came in. */
export type AuditSurface = 'rest' | 'mcp' | 'proxy' | 'oauth' | 'cli';
/** How an audited call ended. */
export type AuditOutcome = 'success' | 'denied' | 'error';
