import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SERVER_STATUSES, type ServerStatus, TRANSPORTS, type Transport } from '../registry.types.js';
import { TAG_PATTERN } from './register-server.dto.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Filters and pagination for listing servers: a cursor (stable under inserts) or page+limit. */
export class ListServersQuery {
  @ApiPropertyOptional({ enum: SERVER_STATUSES })
  @IsOptional()
  @IsIn(SERVER_STATUSES)
  status?: ServerStatus;

  @ApiPropertyOptional({ example: 'github' })
  @IsOptional()
  @Matches(TAG_PATTERN)
  tag?: string;

  @ApiPropertyOptional({ enum: TRANSPORTS })
  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: Transport;

  @ApiPropertyOptional({ description: 'Substring of name, title or description', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page (`nextCursor`)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1, description: 'Page number (ignored with cursor)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}

export class SearchToolsQuery {
  @ApiPropertyOptional({ description: 'Words to look for in tool names and descriptions', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'Only this server (name or id)', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  server?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
