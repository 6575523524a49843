import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/index.js';
import { TenancyModule } from '../tenancy/index.js';
import { CapabilitiesService } from './capabilities.service.js';
import { DiscoveryController } from './discovery.controller.js';
import { CapabilityDiscovery } from './discovery/capability-discovery.js';
import { HealthScheduler } from './health/health-scheduler.js';
import { ServerChecker } from './health/server-checker.js';
import { OfficialRegistryController } from './official-registry.controller.js';
import { RegistryCache } from './registry-cache.js';
import { RegistryController } from './registry.controller.js';
import { RegistryRepository } from './registry.repository.js';
import { RegistryService } from './registry.service.js';
import { RegistryTools } from './registry.tools.js';
import { ServerConfigResource } from './server-config.resource.js';
import { ServerInput } from './server-input.js';
import { UpstreamCredentials } from './upstream-credentials.js';
import { UpstreamSecrets } from './upstream-secrets.js';

@Module({
  imports: [AuthModule, TenancyModule],
  controllers: [
    RegistryController,
    OfficialRegistryController,
    DiscoveryController,
    RegistryTools,
    ServerConfigResource,
  ],
  providers: [
    RegistryRepository,
    RegistryCache,
    RegistryService,
    CapabilitiesService,
    ServerInput,
    ServerChecker,
    HealthScheduler,
    CapabilityDiscovery,
    UpstreamCredentials,
    UpstreamSecrets,
  ],
  exports: [
    RegistryService,
    RegistryCache,
    CapabilityDiscovery,
    UpstreamCredentials,
    UpstreamSecrets,
    ServerChecker,
  ],
})
export class RegistryModule {}
