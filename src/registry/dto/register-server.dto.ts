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
  EndpointDto,
  HealthCheckDto,
  IsToolRoleMap,
  MAX_URL_LENGTH,
  RateLimitsDto,
  TimeoutsDto,
  UpstreamAuthDto,
} from './server-settings.dto.js';

/** A slug that cannot be mistaken for a server id (ids and names share the same lookups). */
export const SERVER_NAME_PATTERN =
  /^(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9][a-z0-9-]{0,62}$/;
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._-]{0,49}$/;
/** The name rule in words (a regular expression is not an error message a user can act on). */
const NAME_RULE = (args: { value?: unknown }) =>
  `name must be 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit, and not shaped like a server id (got ${JSON.stringify(args.value)}; e.g. "github" or "jira-cloud")`;
const TAG_RULE =
  'each tag must be 1 to 50 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit';
export const MAX_ENDPOINTS = 10;
export const MAX_TAGS = 20;

/** Fields an owner may set on a server, shared by registration and update. */
export class ServerSettingsDto {
  @ApiPropertyOptional({ example: 'GitHub tools', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ example: '1.4.0', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  version?: string;

  @ApiPropertyOptional({
    description: 'Shorthand for one endpoint of weight 1 (use either url or endpoints)',
    example: 'https://mcp.example.com/mcp',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
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
  @ArrayMaxSize(50)
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    each: true,
    message: 'auditRedactKeys must be key names of 1-64 characters [A-Za-z0-9_.-]',
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
