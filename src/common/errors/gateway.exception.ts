import { HttpException } from '@nestjs/common';
import type { ErrorCode } from './error-codes.js';

/**
 * The exception every feature throws for an expected failure: an HTTP status, a stable code from the one
 * error-code enum (`ErrorCode`) and a message safe to show the caller. Optional details must be safe to show as well.
 */
export class GatewayException extends HttpException {
  constructor(
    status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Response headers that belong to this error, such as a `WWW-Authenticate` challenge. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message, status);
  }
}
