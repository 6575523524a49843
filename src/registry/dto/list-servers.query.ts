import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SERVER_STATUSES, type ServerStatus, TRANSPORTS, type Transport } from '../registry.types.js';
import {
  CURSOR_MAX_LENGTH,
  DEFAULT_PAGE_SIZE,
  DEFAULT_TOOL_SEARCH_LIMIT,
  MAX_PAGE_NUMBER,
  MAX_PAGE_SIZE,
  SEARCH_TEXT_MAX_LENGTH,
  SERVER_REF_MAX_LENGTH,
  TAG_PATTERN,
} from '../registry.limits.js';

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

  @ApiPropertyOptional({
    description: 'Substring of name, title or description',
    maxLength: SEARCH_TEXT_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(SEARCH_TEXT_MAX_LENGTH)
  q?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page (`nextCursor`)' })
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1, description: 'Page number (ignored with cursor)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_NUMBER)
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
  @ApiPropertyOptional({
    description: 'Words to look for in tool names and descriptions',
    maxLength: SEARCH_TEXT_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(SEARCH_TEXT_MAX_LENGTH)
  q?: string;

  @ApiPropertyOptional({ description: 'Only this server (name or id)', maxLength: SERVER_REF_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(SERVER_REF_MAX_LENGTH)
  server?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_TOOL_SEARCH_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
