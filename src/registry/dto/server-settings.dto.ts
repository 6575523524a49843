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
  type ValidationOptions,
} from 'class-validator';
import { UPSTREAM_AUTH_TYPES, type UpstreamAuthType } from '../registry.types.js';

export const MAX_URL_LENGTH = 2048;
const MAX_TOOL_TIMEOUT_OVERRIDES = 100;
const MAX_TOOL_TIMEOUT_MS = 3_600_000;

/** `{ toolName: milliseconds }` with a bounded number of entries and sane values. */
function IsToolTimeoutMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isToolTimeoutMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must map up to ${MAX_TOOL_TIMEOUT_OVERRIDES} tool names to 1000..${MAX_TOOL_TIMEOUT_MS} ms`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_TOOL_TIMEOUT_OVERRIDES &&
            entries.every(
              ([name, ms]) =>
                name.length > 0 &&
                name.length <= 128 &&
                Number.isInteger(ms) &&
                (ms as number) >= 1000 &&
                (ms as number) <= MAX_TOOL_TIMEOUT_MS,
            )
          );
        },
      },
    });
}

const ROLE_NAMES = ['admin', 'server_owner', 'user'];

/** `{ toolName: [roles] }`: bounded, with known role names only. */
export function IsToolRoleMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isToolRoleMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must map up to ${MAX_TOOL_TIMEOUT_OVERRIDES} tool names to lists of admin, server_owner, user`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_TOOL_TIMEOUT_OVERRIDES &&
            entries.every(
              ([name, roles]) =>
                name.length > 0 &&
                name.length <= 128 &&
                Array.isArray(roles) &&
                roles.every((role) => ROLE_NAMES.includes(role as string)),
            )
          );
        },
      },
    });
}

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

  @ApiPropertyOptional({ description: 'client_credentials or entra_obo: scope to request' })
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
