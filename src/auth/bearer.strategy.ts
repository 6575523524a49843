import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import type { Principal } from '../common/principal.js';
import { RequestAuthenticator } from './request-authenticator.js';

export const BEARER_STRATEGY = 'mreg-bearer';

/**
 * The Passport strategy behind the global guard. passport-azure-ad is archived and accepts only https metadata, so
 * verification is our own, on jose (docs/adr/0004-entra-bearer-auth-on-jose.md); Passport stays as the mechanism.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  constructor(private readonly authenticator: RequestAuthenticator) {
    super();
  }

  validate(req: Request): Promise<Principal> {
    return this.authenticator.authenticate(req);
  }
}
