import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  DESCRIPTION_MAX_LENGTH,
  MAX_ENDPOINTS,
  SERVER_JSON_LIMITS,
  TITLE_MAX_LENGTH,
  UPSTREAM_AUTH_MAX_LENGTH,
  UPSTREAM_HEADER_NAME_MAX_LENGTH,
  URL_MAX_LENGTH,
  VERSION_MAX_LENGTH,
} from '../registry.limits.js';

/**
 * A header a remote asks for. The first one with a value becomes the registration's upstream credential
 * (`registrationFromServerJson`), so it is held to the same limits as `upstreamAuth`.
 */
export class ServerJsonHeaderDto {
  @ApiProperty({ example: 'Authorization' })
  @IsString()
  @MaxLength(UPSTREAM_HEADER_NAME_MAX_LENGTH)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(SERVER_JSON_LIMITS.headerDescriptionLength)
  description?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() isRequired?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() isSecret?: boolean;

  @ApiPropertyOptional({ description: 'Stored encrypted as the upstream credential' })
  @IsOptional()
  @IsString()
  @MaxLength(UPSTREAM_AUTH_MAX_LENGTH.value)
  value?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(SERVER_JSON_LIMITS.headerFormatLength)
  format?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(SERVER_JSON_LIMITS.headerDefaultLength)
  default?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SERVER_JSON_LIMITS.headerChoices)
  choices?: string[];
}

export class ServerJsonRemoteDto {
  @ApiProperty({ enum: ['streamable-http', 'sse'] })
  @IsIn(['streamable-http', 'sse'])
  type!: 'streamable-http' | 'sse';

  @ApiProperty({ example: 'https://mcp.example.com/mcp' })
  @IsString()
  @MaxLength(URL_MAX_LENGTH)
  url!: string;

  @ApiPropertyOptional({ type: [ServerJsonHeaderDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SERVER_JSON_LIMITS.headersPerRemote)
  @ValidateNested({ each: true })
  @Type(() => ServerJsonHeaderDto)
  headers?: ServerJsonHeaderDto[];
}

/**
 * A `server.json` of the official MCP Registry (only remote servers can be proxied; packages are ignored). Its title,
 * description, version and remotes become the registration's own, so they are held to the same limits.
 */
export class ServerJsonDto {
  @ApiPropertyOptional({ name: '$schema' })
  @IsOptional()
  @IsString()
  @MaxLength(SERVER_JSON_LIMITS.schemaUrlLength)
  $schema?: string;

  @ApiProperty({ example: 'io.github.acme/weather' })
  @IsString()
  @MaxLength(SERVER_JSON_LIMITS.nameLength)
  name!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TITLE_MAX_LENGTH) title?: string;

  @ApiProperty() @IsString() @MaxLength(DESCRIPTION_MAX_LENGTH) description!: string;

  @ApiProperty({ example: '1.0.2' }) @IsString() @MaxLength(VERSION_MAX_LENGTH) version!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(URL_MAX_LENGTH) websiteUrl?: string;

  @ApiPropertyOptional() @IsOptional() @IsObject() repository?: Record<string, unknown>;

  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMaxSize(SERVER_JSON_LIMITS.icons) icons?: unknown[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SERVER_JSON_LIMITS.packages)
  packages?: unknown[];

  @ApiPropertyOptional() @IsOptional() @IsObject() _meta?: Record<string, unknown>;

  @ApiProperty({ type: [ServerJsonRemoteDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'remotes must list at least one remote (only remote servers can be proxied)' })
  @ArrayMaxSize(MAX_ENDPOINTS)
  @ValidateNested({ each: true })
  @Type(() => ServerJsonRemoteDto)
  remotes!: ServerJsonRemoteDto[];
}
