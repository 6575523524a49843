import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class ApproveChangesDto {
  @ApiPropertyOptional({ description: 'Hash of the reviewed pending snapshot; refused if it changed since' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/)
  capabilitiesHash?: string;
}
