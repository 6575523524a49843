import { CreateTenants1795600000000 } from './1795600000000-CreateTenants.js';
import { CreateOAuthTables1795617117478 } from './1795617117478-CreateOAuthTables.js';
import { CreateMcpServers1795623610875 } from './1795623610875-CreateMcpServers.js';
import { AddServerToolRoles1795625941838 } from './1795625941838-AddServerToolRoles.js';
import { AddServerIdentityHeaders1795629377597 } from './1795629377597-AddServerIdentityHeaders.js';
import { AddServerDownEndpoints1795629943715 } from './1795629943715-AddServerDownEndpoints.js';
import { AddServerRateLimits1795700000000 } from './1795700000000-AddServerRateLimits.js';
import { CreateAuditEvents1795710000000 } from './1795710000000-CreateAuditEvents.js';

/** Every migration in order. Listed explicitly so the app, the CLI and tests load the same set without globbing. */
export const MIGRATIONS = [
  CreateTenants1795600000000,
  CreateOAuthTables1795617117478,
  CreateMcpServers1795623610875,
  AddServerToolRoles1795625941838,
  AddServerIdentityHeaders1795629377597,
  AddServerDownEndpoints1795629943715,
  AddServerRateLimits1795700000000,
  CreateAuditEvents1795710000000,
];
