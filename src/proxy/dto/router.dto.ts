import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { SERVER_REF_MAX_LENGTH } from '../../registry/index.js';
import { PROXY_METHODS, type ProxyMethod } from '../proxy-request.service.js';

/** A routed call's own timeout in ms; the server's (or the tool's) timeout caps it, and applies when none is given. */
const CALL_TIMEOUT_MS = { min: 100, max: 3_600_000 } as const;

export class ProxyRequestDto {
  @ApiPropertyOptional({ description: 'Server id or name; omit for tools/call to route by tool name' })
  @IsOptional()
  @IsString()
  @MaxLength(SERVER_REF_MAX_LENGTH)
  server?: string;

  @ApiProperty({ enum: PROXY_METHODS, example: 'tools/call' })
  @IsIn(PROXY_METHODS)
  method!: ProxyMethod;

  @ApiPropertyOptional({ example: { name: 'echo', arguments: { message: 'hi' } } })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: CALL_TIMEOUT_MS.min, maximum: CALL_TIMEOUT_MS.max })
  @IsOptional()
  @IsInt()
  @Min(CALL_TIMEOUT_MS.min)
  @Max(CALL_TIMEOUT_MS.max)
  timeoutMs?: number;
}

export class HealthCheckRequestDto {
  @ApiPropertyOptional({ description: 'Server id or name; omit to check every server you can see' })
  @IsOptional()
  @IsString()
  @MaxLength(SERVER_REF_MAX_LENGTH)
  server?: string;
}
