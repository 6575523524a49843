import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from './app-config.js';
import { SettingsController } from './settings.controller.js';
import { SettingsService } from './settings.service.js';

/**
 * Makes the already-validated configuration injectable everywhere as `@Inject(APP_CONFIG)`, and serves its masked
 * form to admins (`GET /api/v1/admin/config`).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      controllers: [SettingsController],
      providers: [{ provide: APP_CONFIG, useValue: config }, SettingsService],
      exports: [APP_CONFIG],
    };
  }
}
