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
import { UPSTREAM_AUTH_TYPES, type UpstreamAuthType } from '../registry.types.js';

export const MAX_URL_LENGTH = 2048;
const MAX_TOOL_TIMEOUT_MS = 3_600_000;
const MAX_RATE_LIMIT = 100_000;

const MAX_TOOL_ENTRIES = 100;
const ROLE_NAMES: readonly string[] = ['admin', 'server_owner', 'user'];

/** A `{ toolName: value }` map with at most 100 entries, tool names of 1..128 characters and valid values. */
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
            entries.every(([tool, entry]) => tool.length > 0 && tool.length <= 128 && isValidValue(entry))
          );
        },
      },
    });
}

/** `{ toolName: milliseconds }`, for long-running tools. */
const IsToolTimeoutMap = (): PropertyDecorator =>
  IsToolMap(
    'isToolTimeoutMap',
    `1000..${MAX_TOOL_TIMEOUT_MS} ms`,
    (ms) => Number.isInteger(ms) && (ms as number) >= 1000 && (ms as number) <= MAX_TOOL_TIMEOUT_MS,
  );

/** `{ toolName: [roles] }`, with known role names only. */
export const IsToolRoleMap = (): PropertyDecorator =>
  IsToolMap(
    'isToolRoleMap',
    'lists of admin, server_owner, user',
    (roles) => Array.isArray(roles) && roles.every((role) => ROLE_NAMES.includes(role as string)),
  );

/** `{ toolName: requests per minute }`. */
const IsToolRateLimitMap = (): PropertyDecorator =>
  IsToolMap(
    'isToolRateLimitMap',
    `1..${MAX_RATE_LIMIT} requests per minute`,
    (limit) => Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_RATE_LIMIT,
  );

export class EndpointDto {
  @ApiProperty({ example: 'https://mcp.example.com/mcp' })
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  weight?: number;
}

export class TimeoutsDto {
  @ApiPropertyOptional({ minimum: 100, maximum: 60_000, default: 5000 })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60_000)
  connectMs?: number;

  @ApiPropertyOptional({ minimum: 1000, maximum: MAX_TOOL_TIMEOUT_MS, default: 30_000 })
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(MAX_TOOL_TIMEOUT_MS)
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
    minimum: 1,
    maximum: MAX_RATE_LIMIT,
    description: 'JSON-RPC messages per minute one caller may send to this server',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RATE_LIMIT)
  requestsPerMinute?: number;

  @ApiPropertyOptional({
    description: `tools/call per minute one caller may make, by tool name (at most 100 tools, 1..${MAX_RATE_LIMIT})`,
    example: { create_issue: 10 },
  })
  @IsOptional()
  @IsObject()
  @IsToolRateLimitMap()
  tools?: Record<string, number>;
}

export class HealthCheckDto {
  @ApiPropertyOptional({ minimum: 5, maximum: 86_400, default: 30 })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(86_400)
  intervalSeconds?: number;

  @ApiPropertyOptional({ minimum: 500, maximum: 120_000, default: 10_000 })
  @IsOptional()
  @IsInt()
  @Min(500)
  @Max(120_000)
  timeoutMs?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  unhealthyThreshold?: number;

  @ApiPropertyOptional({ minimum: 50, maximum: 120_000, default: 2000 })
  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(120_000)
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
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'headerName must be an HTTP header name' })
  headerName?: string;

  @ApiPropertyOptional({ description: 'static: header value (write-only)', example: 'Bearer s3cr3t' })
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  value?: string;

  @ApiPropertyOptional({ description: 'client_credentials: token endpoint (https)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  tokenUrl?: string;

  @ApiPropertyOptional({ description: 'client_credentials: client id' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  clientId?: string;

  @ApiPropertyOptional({ description: 'client_credentials: client secret (write-only)' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  clientSecret?: string;

  @ApiPropertyOptional({
    description:
      "client_credentials or entra_obo: scope to request. entra_obo is set by admins only; its scope must not name the gateway's own app and, when MREG_ENTRA_OBO_ALLOWED_SCOPES is set, must be one of those (400 UPSTREAM_SCOPE_REFUSED)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;

  @ApiPropertyOptional({ description: 'client_credentials: audience parameter, if the server wants one' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  audience?: string;
}
