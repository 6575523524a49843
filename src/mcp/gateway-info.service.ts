import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type AuthMode, type DatabaseKind } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { LifecycleState } from '../observability/lifecycle-state.js';
import { GATEWAY_VERSION } from '../common/version.js';

export interface GatewayInfo {
  name: string;
  version: string;
  uptimeSeconds: number;
  startedAt: string;
  nodeVersion: string;
  database: { kind: DatabaseKind };
  auth: { mode: AuthMode };
}

@Injectable()
export class GatewayInfoService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: Database,
    private readonly lifecycle: LifecycleState,
  ) {}

  describe(): GatewayInfo {
    return {
      name: 'mcp-registry-gateway',
      version: GATEWAY_VERSION,
      uptimeSeconds: this.lifecycle.uptimeSeconds(),
      startedAt: new Date(this.lifecycle.startedAt).toISOString(),
      nodeVersion: process.version,
      database: { kind: this.database.kind },
      auth: { mode: this.config.auth.mode },
    };
  }
}
