import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-codes.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import type { Principal } from '../common/principal.js';
import { APP_CONFIG, type AppConfig } from './app-config.js';
import type { ConfigEntry } from './describe-config.js';
import { readsGatewayWide } from './gateway-wide-access.js';

/** What `GET /api/v1/admin/config` answers: the same entries as `mcp-gateway config --json`, always masked. */
export interface SettingsView {
  settings: readonly ConfigEntry[];
  /** Always true: this surface has no `--show-secrets`. Said so a reader of the body needs no doc to know. */
  secretsMasked: true;
}

/**
 * The effective configuration for admins. It is the whole gateway's, not a tenant's (it names the allowed and the
 * platform administrators' tenants), so in a multi-tenant platform only platform administrators read it.
 */
@Injectable()
export class SettingsService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  effectiveFor(principal: Principal): SettingsView {
    if (!readsGatewayWide(this.config, principal)) {
      throw new GatewayException(
        403,
        ErrorCode.FORBIDDEN,
        'The gateway configuration is for platform administrators (tenants in MREG_SUPERADMIN_TENANTS)',
      );
    }
    return { settings: this.config.settings, secretsMasked: true };
  }
}
