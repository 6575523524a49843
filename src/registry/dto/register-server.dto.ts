import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { GatewayRole } from '../../config/app-config.js';
import { ALL_ROLES } from '../../common/principal.js';
import {
  LB_STRATEGIES,
  type LbStrategy,
  TRANSPORTS,
  type Transport,
  VISIBILITIES,
  type Visibility,
} from '../registry.types.js';
import {
  AUDIT_REDACT_KEY_MAX_LENGTH,
  AUDIT_REDACT_KEY_PATTERN,
  DESCRIPTION_MAX_LENGTH,
  MAX_AUDIT_REDACT_KEYS,
  MAX_ENDPOINTS,
  MAX_TAGS,
  SERVER_NAME_MAX_LENGTH,
  SERVER_NAME_PATTERN,
  TAG_MAX_LENGTH,
  TAG_PATTERN,
  TITLE_MAX_LENGTH,
  URL_MAX_LENGTH,
  VERSION_MAX_LENGTH,
} from '../registry.limits.js';
import {
  EndpointDto,
  HealthCheckDto,
  IsToolRoleMap,
  RateLimitsDto,
  TimeoutsDto,
  UpstreamAuthDto,
} from './server-settings.dto.js';

/** The name rule in words (a regular expression is not an error message a user can act on). */
const NAME_RULE = (args: { value?: unknown }) =>
  `name must be 1 to ${SERVER_NAME_MAX_LENGTH} lower-case letters, digits and hyphens, starting with a letter or digit, and not shaped like a server id (got ${JSON.stringify(args.value)}; e.g. "github" or "jira-cloud")`;
const TAG_RULE = `each tag must be 1 to ${TAG_MAX_LENGTH} lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit`;

/** Fields an owner may set on a server, shared by registration and update. */
export class ServerSettingsDto {
  @ApiPropertyOptional({ example: 'GitHub tools', maxLength: TITLE_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TITLE_MAX_LENGTH)
  title?: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX_LENGTH)
  description?: string;

  @ApiPropertyOptional({ example: '1.4.0', maxLength: VERSION_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(VERSION_MAX_LENGTH)
  version?: string;

  @ApiPropertyOptional({
    description: 'Shorthand for one endpoint of weight 1 (use either url or endpoints)',
    example: 'https://mcp.example.com/mcp',
  })
  @IsOptional()
  @IsString()
  @MaxLength(URL_MAX_LENGTH)
  url?: string;

  @ApiPropertyOptional({ type: [EndpointDto], maxItems: MAX_ENDPOINTS })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ENDPOINTS)
  @ValidateNested({ each: true })
  @Type(() => EndpointDto)
  endpoints?: EndpointDto[];

  @ApiPropertyOptional({ enum: TRANSPORTS, default: 'streamable-http' })
  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: Transport;

  @ApiPropertyOptional({
    enum: VISIBILITIES,
    default: 'tenant',
    description: '`global` (visible to every tenant) is for platform administrators',
  })
  @IsOptional()
  @IsIn(VISIBILITIES)
  visibility?: Visibility;

  @ApiPropertyOptional({ enum: ALL_ROLES, isArray: true, description: 'Roles a caller needs (any of them)' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(ALL_ROLES, { each: true })
  requiredRoles?: GatewayRole[];

  @ApiPropertyOptional({ type: [String], example: ['dev', 'github'], maxItems: MAX_TAGS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @ArrayUnique()
  @Matches(TAG_PATTERN, { each: true, message: TAG_RULE })
  tags?: string[];

  @ApiPropertyOptional({
    description: 'Per-tool role rules: a caller needs one of the roles to see or call the tool',
    example: { delete_repo: ['admin'] },
  })
  @IsOptional()
  @IsObject()
  @IsToolRoleMap()
  toolRoles?: Record<string, GatewayRole[]>;

  @ApiPropertyOptional({
    default: false,
    description:
      "Send the caller's identity upstream: X-Mcp-User-Id, X-Mcp-Tenant-Id, X-Mcp-Roles and X-Mcp-Identity (a JWT signed with the gateway's key, verifiable at /oauth/jwks)",
  })
  @IsOptional()
  @IsBoolean()
  identityHeaders?: boolean;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Argument names whose values the audit trail redacts for this server (token, secret, password... always are)',
    example: ['ssn', 'iban'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_AUDIT_REDACT_KEYS)
  @Matches(AUDIT_REDACT_KEY_PATTERN, {
    each: true,
    message: `auditRedactKeys must be key names of 1-${AUDIT_REDACT_KEY_MAX_LENGTH} characters [A-Za-z0-9_.-]`,
  })
  auditRedactKeys?: string[];

  @ApiPropertyOptional({
    type: RateLimitsDto,
    description:
      'Per-caller limits per minute on this server (replaces the previous limits; {} removes them)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitsDto)
  rateLimits?: RateLimitsDto;

  @ApiPropertyOptional({ type: UpstreamAuthDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => UpstreamAuthDto)
  upstreamAuth?: UpstreamAuthDto;

  @ApiPropertyOptional({ type: TimeoutsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TimeoutsDto)
  timeouts?: TimeoutsDto;

  @ApiPropertyOptional({ type: HealthCheckDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => HealthCheckDto)
  healthCheck?: HealthCheckDto;

  @ApiPropertyOptional({ enum: LB_STRATEGIES, default: 'round_robin' })
  @IsOptional()
  @IsIn(LB_STRATEGIES)
  lbStrategy?: LbStrategy;
}

export class RegisterServerDto extends ServerSettingsDto {
  @ApiProperty({ example: 'github', pattern: SERVER_NAME_PATTERN.source })
  @IsString()
  @Matches(SERVER_NAME_PATTERN, { message: NAME_RULE })
  name!: string;

  @ApiPropertyOptional({
    default: true,
    description: 'Connect now and store the capabilities found (false: register offline)',
  })
  @IsOptional()
  @IsBoolean()
  discover?: boolean;
}

export class UpdateServerDto extends ServerSettingsDto {
  @ApiPropertyOptional({ example: 'github', pattern: SERVER_NAME_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(SERVER_NAME_PATTERN, { message: NAME_RULE })
  name?: string;

  @ApiPropertyOptional({
    description: 'true puts the server in maintenance (not proxied); false takes it out',
  })
  @IsOptional()
  @IsBoolean()
  maintenance?: boolean;
}
