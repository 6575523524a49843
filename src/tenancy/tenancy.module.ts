import { Module } from '@nestjs/common';
import { TenantRepository } from './tenant.repository.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';
import { TenantsTools } from './tenants.tools.js';

@Module({
  controllers: [TenantsController, TenantsTools],
  providers: [TenantRepository, TenantsService],
  exports: [TenantsService],
})
export class TenancyModule {}
