import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_TENANT_REQUESTS_PER_MINUTE } from '../tenant-settings.js';

/** What a platform administrator may change on a tenant. */
export class UpdateTenantDto {
  @ApiPropertyOptional({
    description:
      "The tenant's requests per minute, all its callers together; null returns it to the default (MREG_RATE_LIMIT_TENANT_MULTIPLIER × the user tier).",
    nullable: true,
    minimum: 1,
    maximum: MAX_TENANT_REQUESTS_PER_MINUTE,
    example: 200000,
  })
  @ValidateIf((dto: UpdateTenantDto) => dto.requestsPerMinute !== null)
  @IsInt({ message: 'requestsPerMinute must be a whole number or null' })
  @Min(1)
  @Max(MAX_TENANT_REQUESTS_PER_MINUTE)
  requestsPerMinute!: number | null;
}
