/**
 * Audit's public API: what the layers above it (proxy, app, cli) may use. Its entities, store, writer, controller
 * and tools stay inside; a feature records an event through `Auditor` (or `ProxyCallTrail` for a proxied call) and
 * a refusal through `AuditDenials`. Files inside `src/audit` import each other directly, never through this file, so
 * loading it cannot start a cycle back into audit.
 */

// Wiring: the Nest module and the providers it exports.
export { AuditModule } from './audit.module.js';
export { Auditor, requestActor } from './auditor.js';
export { ProxyCallTrail } from './proxy-call-trail.js';
export { AuditDenials } from './audit-denials.js';
export { AuditChainVerifier, type ChainReport } from './audit-chain-verifier.js';

// What an event records, and how a response or an error becomes its outcome.
export type { AuditEventInput } from './audit.types.js';
export { describeError, jsonRpcErrorCode, outcomeForStatus } from './audit-outcome.js';
