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
import { MAX_URL_LENGTH } from './server-settings.dto.js';

export class ServerJsonHeaderDto {
  @ApiProperty({ example: 'Authorization' }) @IsString() @MaxLength(64) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isRequired?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isSecret?: boolean;
  @ApiPropertyOptional({ description: 'Stored encrypted as the upstream credential' })
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  value?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) format?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(8192) default?: string;
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMaxSize(50) choices?: string[];
}

export class ServerJsonRemoteDto {
  @ApiProperty({ enum: ['streamable-http', 'sse'] })
  @IsIn(['streamable-http', 'sse'])
  type!: 'streamable-http' | 'sse';

  @ApiProperty({ example: 'https://mcp.example.com/mcp' })
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url!: string;

  @ApiPropertyOptional({ type: [ServerJsonHeaderDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ServerJsonHeaderDto)
  headers?: ServerJsonHeaderDto[];
}

/** A `server.json` of the official MCP Registry (only remote servers can be proxied; packages are ignored). */
export class ServerJsonDto {
  @ApiPropertyOptional({ name: '$schema' }) @IsOptional() @IsString() @MaxLength(500) $schema?: string;
  @ApiProperty({ example: 'io.github.acme/weather' }) @IsString() @MaxLength(200) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) title?: string;
  @ApiProperty() @IsString() @MaxLength(2000) description!: string;
  @ApiProperty({ example: '1.0.2' }) @IsString() @MaxLength(64) version!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(MAX_URL_LENGTH) websiteUrl?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() repository?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMaxSize(20) icons?: unknown[];
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMaxSize(50) packages?: unknown[];
  @ApiPropertyOptional() @IsOptional() @IsObject() _meta?: Record<string, unknown>;

  @ApiProperty({ type: [ServerJsonRemoteDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'remotes must list at least one remote (only remote servers can be proxied)' })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ServerJsonRemoteDto)
  remotes!: ServerJsonRemoteDto[];
}
