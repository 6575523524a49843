import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** The common error body, for the OpenAPI document. */
export class ErrorBodyDoc {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'SERVER_NOT_FOUND', description: 'Stable code; the same on REST and MCP' })
  code!: string;
  @ApiProperty({ example: 'No such server' }) message!: string;
  @ApiProperty({ example: '5f0c6c1e-3b8e-4a59-9a53-0e7f8f1d2c3b' }) correlationId!: string;
  @ApiPropertyOptional({ description: 'Field messages for validation errors' }) details?: unknown;
}

/** Documents error responses: `{ status: 'CODE_A | CODE_B' }`. */
export function ApiErrors(errors: Record<number, string>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(errors).map(([status, codes]) =>
      ApiResponse({ status: Number(status), description: codes, type: ErrorBodyDoc }),
    ),
  );
}
