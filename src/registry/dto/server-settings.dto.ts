import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
} from 'class-validator';
import { ALL_ROLES } from '../../common/principal.js';
import {
  CONNECT_TIMEOUT_MS,
  ENDPOINT_WEIGHT,
  HEALTH_CHECK_BOUNDS,
  type IntBounds,
  MAX_TOOL_ENTRIES,
  RATE_LIMIT_PER_MINUTE,
  REQUEST_TIMEOUT_MS,
  TOOL_NAME_MAX_LENGTH,
  UPSTREAM_AUTH_MAX_LENGTH,
  UPSTREAM_HEADER_NAME_PATTERN,
  URL_MAX_LENGTH,
} from '../registry.limits.js';
import {
  DEFAULT_HEALTH_CHECK,
  DEFAULT_TIMEOUTS,
  UPSTREAM_AUTH_TYPES,
  type UpstreamAuthType,
} from '../registry.types.js';

const ROLE_NAMES: readonly string[] = ALL_ROLES;
const within = (value: unknown, bounds: IntBounds) =>
  Number.isInteger(value) && (value as number) >= bounds.min && (value as number) <= bounds.max;

/** A `{ toolName: value }` map with at most MAX_TOOL_ENTRIES entries, tool names of 1..TOOL_NAME_MAX_LENGTH characters and valid values. */
function IsToolMap(
  name: string,
  message: string,
  isValidValue: (value: unknown) => boolean,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must map up to ${MAX_TOOL_ENTRIES} tool names to ${message}` },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_TOOL_ENTRIES &&
            entries.every(
              ([tool, entry]) =>
                tool.length > 0 && tool.length <= TOOL_NAME_MAX_LENGTH && isValidValue(entry),
            )
          );
        },
      },
    });
}

/** `{ toolName: milliseconds }`, for long-running tools. */
const IsToolTimeoutMap = (): PropertyDecorator =>
  IsToolMap('isToolTimeoutMap', `${REQUEST_TIMEOUT_MS.min}..${REQUEST_TIMEOUT_MS.max} ms`, (ms) =>
    within(ms, REQUEST_TIMEOUT_MS),
  );

/** `{ toolName: [roles] }`, with known role names only. */
export const IsToolRoleMap = (): PropertyDecorator =>
  IsToolMap(
    'isToolRoleMap',
    `lists of ${ROLE_NAMES.join(', ')}`,
    (roles) => Array.isArray(roles) && roles.every((role) => ROLE_NAMES.includes(role as string)),
  );

/** `{ toolName: requests per minute }`. */
const IsToolRateLimitMap = (): PropertyDecorator =>
  IsToolMap(
    'isToolRateLimitMap',
    `${RATE_LIMIT_PER_MINUTE.min}..${RATE_LIMIT_PER_MINUTE.max} requests per minute`,
    (limit) => within(limit, RATE_LIMIT_PER_MINUTE),
  );

export class EndpointDto {
  @ApiProperty({ example: 'https://mcp.example.com/mcp' })
  @IsString()
  @MaxLength(URL_MAX_LENGTH)
  url!: string;

  @ApiPropertyOptional({ minimum: ENDPOINT_WEIGHT.min, maximum: ENDPOINT_WEIGHT.max, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(ENDPOINT_WEIGHT.min)
  @Max(ENDPOINT_WEIGHT.max)
  weight?: number;
}

export class TimeoutsDto {
  @ApiPropertyOptional({
    minimum: CONNECT_TIMEOUT_MS.min,
    maximum: CONNECT_TIMEOUT_MS.max,
    default: DEFAULT_TIMEOUTS.connectMs,
  })
  @IsOptional()
  @IsInt()
  @Min(CONNECT_TIMEOUT_MS.min)
  @Max(CONNECT_TIMEOUT_MS.max)
  connectMs?: number;

  @ApiPropertyOptional({
    minimum: REQUEST_TIMEOUT_MS.min,
    maximum: REQUEST_TIMEOUT_MS.max,
    default: DEFAULT_TIMEOUTS.requestMs,
  })
  @IsOptional()
  @IsInt()
  @Min(REQUEST_TIMEOUT_MS.min)
  @Max(REQUEST_TIMEOUT_MS.max)
  requestMs?: number;

  @ApiPropertyOptional({
    description: 'Per-tool request timeouts in ms, for long-running tools',
    example: { generate_report: 300000 },
  })
  @IsOptional()
  @IsObject()
  @IsToolTimeoutMap()
  tools?: Record<string, number>;
}

/** Per-caller limits on one server, counted per minute and per caller (tenant and user). */
export class RateLimitsDto {
  @ApiPropertyOptional({
    minimum: RATE_LIMIT_PER_MINUTE.min,
    maximum: RATE_LIMIT_PER_MINUTE.max,
    description: 'JSON-RPC messages per minute one caller may send to this server',
  })
  @IsOptional()
  @IsInt()
  @Min(RATE_LIMIT_PER_MINUTE.min)
  @Max(RATE_LIMIT_PER_MINUTE.max)
  requestsPerMinute?: number;

  @ApiPropertyOptional({
    description: `tools/call per minute one caller may make, by tool name (at most ${MAX_TOOL_ENTRIES} tools, ${RATE_LIMIT_PER_MINUTE.min}..${RATE_LIMIT_PER_MINUTE.max})`,
    example: { create_issue: 10 },
  })
  @IsOptional()
  @IsObject()
  @IsToolRateLimitMap()
  tools?: Record<string, number>;
}

export class HealthCheckDto {
  @ApiPropertyOptional({
    minimum: HEALTH_CHECK_BOUNDS.intervalSeconds.min,
    maximum: HEALTH_CHECK_BOUNDS.intervalSeconds.max,
    default: DEFAULT_HEALTH_CHECK.intervalSeconds,
  })
  @IsOptional()
  @IsInt()
  @Min(HEALTH_CHECK_BOUNDS.intervalSeconds.min)
  @Max(HEALTH_CHECK_BOUNDS.intervalSeconds.max)
  intervalSeconds?: number;

  @ApiPropertyOptional({
    minimum: HEALTH_CHECK_BOUNDS.timeoutMs.min,
    maximum: HEALTH_CHECK_BOUNDS.timeoutMs.max,
    default: DEFAULT_HEALTH_CHECK.timeoutMs,
  })
  @IsOptional()
  @IsInt()
  @Min(HEALTH_CHECK_BOUNDS.timeoutMs.min)
  @Max(HEALTH_CHECK_BOUNDS.timeoutMs.max)
  timeoutMs?: number;

  @ApiPropertyOptional({
    minimum: HEALTH_CHECK_BOUNDS.unhealthyThreshold.min,
    maximum: HEALTH_CHECK_BOUNDS.unhealthyThreshold.max,
    default: DEFAULT_HEALTH_CHECK.unhealthyThreshold,
  })
  @IsOptional()
  @IsInt()
  @Min(HEALTH_CHECK_BOUNDS.unhealthyThreshold.min)
  @Max(HEALTH_CHECK_BOUNDS.unhealthyThreshold.max)
  unhealthyThreshold?: number;

  @ApiPropertyOptional({
    minimum: HEALTH_CHECK_BOUNDS.degradedLatencyMs.min,
    maximum: HEALTH_CHECK_BOUNDS.degradedLatencyMs.max,
    default: DEFAULT_HEALTH_CHECK.degradedLatencyMs,
  })
  @IsOptional()
  @IsInt()
  @Min(HEALTH_CHECK_BOUNDS.degradedLatencyMs.min)
  @Max(HEALTH_CHECK_BOUNDS.degradedLatencyMs.max)
  degradedLatencyMs?: number;
}

/** How the gateway authenticates to the upstream. Secret fields are write-only: responses show `hasSecret`. */
export class UpstreamAuthDto {
  @ApiProperty({ enum: UPSTREAM_AUTH_TYPES, example: 'static' })
  @IsIn(UPSTREAM_AUTH_TYPES)
  type!: UpstreamAuthType;

  @ApiPropertyOptional({ description: 'static: header to send', example: 'Authorization' })
  @IsOptional()
  @IsString()
  @Matches(UPSTREAM_HEADER_NAME_PATTERN, { message: 'headerName must be an HTTP header name' })
  headerName?: string;

  @ApiPropertyOptional({ description: 'static: header value (write-only)', example: 'Bearer s3cr3t' })
  @IsOptional()
  @IsString()
  @MaxLength(UPSTREAM_AUTH_MAX_LENGTH.value)
  value?: string;

  @ApiPropertyOptional({ description: 'client_credentials: token endpoint (https)' })
  @IsOptional()
  @IsString()
  @MaxLength(URL_MAX_LENGTH)
  tokenUrl?: string;

  @ApiPropertyOptional({ description: 'client_credentials: client id' })
  @IsOptional()
  @IsString()
  @MaxLength(UPSTREAM_AUTH_MAX_LENGTH.clientId)
  clientId?: string;

  @ApiPropertyOptional({ description: 'client_credentials: client secret (write-only)' })
  @IsOptional()
  @IsString()
  @MaxLength(UPSTREAM_AUTH_MAX_LENGTH.clientSecret)
  clientSecret?: string;

  @ApiPropertyOptional({
    description:
      "client_credentials or entra_obo: scope to request. entra_obo is set by admins only; its scope must not name the gateway's own app and, when MREG_ENTRA_OBO_ALLOWED_SCOPES is set, must be one of those (400 UPSTREAM_SCOPE_REFUSED)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(UPSTREAM_AUTH_MAX_LENGTH.scope)
  scope?: string;

  @ApiPropertyOptional({ description: 'client_credentials: audience parameter, if the server wants one' })
  @IsOptional()
  @IsString()
  @MaxLength(UPSTREAM_AUTH_MAX_LENGTH.audience)
  audience?: string;
}
