/**
 * The proxy's public API: what the app's wiring may use. Its controllers, federation, upstream pool and sessions stay
 * inside; the HTTP pipeline hands a proxied request to `ProxyFastLane` or `ProxyService`. Files inside `src/proxy`
 * import each other directly, never through this file, so loading it cannot start a cycle back into the proxy.
 */

// Wiring: the Nest module and the providers the HTTP pipeline calls.
export { ProxyModule } from './proxy.module.js';
export { ProxyFastLane } from './proxy-fast-lane.js';
export { ProxyService } from './proxy.service.js';
