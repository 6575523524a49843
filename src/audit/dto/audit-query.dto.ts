import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export const AUDIT_OUTCOMES = ['success', 'denied', 'error'] as const;
export const AUDIT_SURFACES = ['rest', 'mcp', 'proxy', 'oauth', 'cli'] as const;
export const AUDIT_FORMATS = ['json', 'csv'] as const;
export const MAX_AUDIT_PAGE = 1000;
export const DEFAULT_AUDIT_PAGE = 100;
/** The text filters (actor, action, tool) and the cursor. */
const FILTER_MAX_LENGTH = 200;
const CURSOR_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${FILTER_MAX_LENGTH}}$`);

/** Filters of the audit query (REST and the `query_audit_log` tool), newest first, cursor-paginated. */
export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'From this time (inclusive), ISO 8601' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ description: 'Until this time (exclusive), ISO 8601' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;

  @ApiPropertyOptional({ description: "The actor's object id (oid)" })
  @IsOptional()
  @IsString()
  @MaxLength(FILTER_MAX_LENGTH)
  actor?: string;

  @ApiPropertyOptional({ example: 'tools/call', description: 'Action, e.g. tools/call, registry.register' })
  @IsOptional()
  @IsString()
  @MaxLength(FILTER_MAX_LENGTH)
  action?: string;

  @ApiPropertyOptional({ description: 'Tool name (or resource URI, prompt name)' })
  @IsOptional()
  @IsString()
  @MaxLength(FILTER_MAX_LENGTH)
  tool?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  serverId?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: (typeof AUDIT_OUTCOMES)[number];

  @ApiPropertyOptional({ enum: AUDIT_SURFACES })
  @IsOptional()
  @IsIn(AUDIT_SURFACES)
  surface?: (typeof AUDIT_SURFACES)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'Platform administrators only: another tenant' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page (`nextCursor`)' })
  @IsOptional()
  @IsString()
  @Matches(CURSOR_PATTERN)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: DEFAULT_AUDIT_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_AUDIT_PAGE)
  limit?: number;

  @ApiPropertyOptional({ enum: AUDIT_FORMATS, default: 'json', description: 'csv: the page as a CSV file' })
  @IsOptional()
  @IsIn(AUDIT_FORMATS)
  format?: (typeof AUDIT_FORMATS)[number];
}

export class AuditEventView {
  @ApiProperty() id!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty() chainSeq!: number;
  @ApiProperty({ nullable: true, type: String }) actorOid!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorName!: string | null;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ nullable: true, type: String }) clientId!: string | null;
  @ApiProperty({ enum: AUDIT_SURFACES }) surface!: string;
  @ApiProperty() action!: string;
  @ApiProperty({ nullable: true, type: String }) serverId!: string | null;
  @ApiProperty({ nullable: true, type: String }) tool!: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ nullable: true, type: String }) sessionHash!: string | null;
  @ApiProperty({ enum: AUDIT_OUTCOMES }) outcome!: string;
  @ApiProperty({ nullable: true, type: Number }) status!: number | null;
  @ApiProperty({ nullable: true, type: String }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) bytes!: number | null;
  @ApiProperty({ nullable: true, description: 'Redacted request params' }) params!: unknown;
  @ApiProperty({ nullable: true, type: String }) ip!: string | null;
  @ApiProperty({ nullable: true, type: String }) userAgent!: string | null;
  @ApiProperty() hash!: string;
}

export class AuditPage {
  @ApiProperty({ type: [AuditEventView] }) events!: AuditEventView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
