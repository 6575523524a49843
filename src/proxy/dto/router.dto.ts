import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PROXY_METHODS, type ProxyMethod } from '../proxy-request.service.js';

export class ProxyRequestDto {
  @ApiPropertyOptional({ description: 'Server id or name; omit for tools/call to route by tool name' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  server?: string;

  @ApiProperty({ enum: PROXY_METHODS, example: 'tools/call' })
  @IsIn(PROXY_METHODS)
  method!: ProxyMethod;

  @ApiPropertyOptional({ example: { name: 'echo', arguments: { message: 'hi' } } })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 100, maximum: 3_600_000 })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  timeoutMs?: number;
}

export class HealthCheckRequestDto {
  @ApiPropertyOptional({ description: 'Server id or name; omit to check every server you can see' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  server?: string;
}
