import { CreateTenants1795600000000 } from './1795600000000-CreateTenants.js';

/** Every migration in order. Listed explicitly so the app, the CLI and tests load the same set without globbing. */
export const MIGRATIONS = [CreateTenants1795600000000];
