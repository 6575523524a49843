import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { CommonErrorCode } from '../common/errors/error-codes.js';
import { GatewayException } from '../common/errors/gateway.exception.js';

function messages(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) => (prefix ? `${prefix}.${message}` : message)),
    ...messages(error.children ?? [], prefix ? `${prefix}.${error.property}` : error.property),
  ]);
}

/**
 * Validates MCP tool arguments with the same DTO class (and so the same rules and messages) as the REST route,
 * so both surfaces accept and refuse exactly the same input.
 */
export async function validateInput<T extends object>(type: new () => T, args: unknown): Promise<T> {
  const instance = plainToInstance(type, args ?? {});
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new GatewayException(
      400,
      CommonErrorCode.VALIDATION_FAILED,
      'Request validation failed',
      messages(errors),
    );
  }
  return instance;
}
