import { HttpException } from '@nestjs/common';
import { codeForStatus } from './error-codes.js';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { GatewayException } from './gateway.exception.js';
import { JSON_TOO_DEEP, MAX_JSON_DEPTH } from '../http/json-depth.js';
import { ErrorCode } from './error-codes.js';

/** The one error body every HTTP surface returns. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  correlationId?: string;
  details?: unknown;
}

/** Errors raised by Express middleware such as body-parser carry `type` and `status`. */
interface MiddlewareError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

/** Maps any thrown value to a status and body. Unknown errors become a 500 that reveals nothing internal. */
export function toErrorBody(error: unknown, correlationId: string | undefined): ErrorBody {
  const base = (statusCode: number, code: string, message: string, details?: unknown): ErrorBody => ({
    statusCode,
    code,
    message,
    correlationId,
    ...(details === undefined ? {} : { details }),
  });

  if (error instanceof GatewayException) {
    return base(error.getStatus(), error.code, error.message, error.details);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const messages =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : undefined;
    if (Array.isArray(messages)) {
      // The validation pipe reports one message per failed constraint.
      return base(status, ErrorCode.VALIDATION_FAILED, 'Request validation failed', messages);
    }
    return base(status, codeForStatus(status), typeof messages === 'string' ? messages : error.message);
  }
  const middleware = (typeof error === 'object' && error !== null ? error : {}) as MiddlewareError;
  switch (middleware.type ?? '') {
    case 'entity.too.large':
      return base(413, ErrorCode.PAYLOAD_TOO_LARGE, 'Request body exceeds the configured limit');
    case JSON_TOO_DEEP:
      return base(400, ErrorCode.BODY_TOO_DEEP, `Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    case 'entity.parse.failed':
      return base(400, ErrorCode.MALFORMED_JSON, 'Request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return base(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported content encoding or charset');
    case 'request.aborted':
      return base(400, ErrorCode.BAD_REQUEST, 'Request aborted by the client');
    default:
      break;
  }
  const status = middleware.status ?? middleware.statusCode;
  if (middleware.expose && typeof status === 'number' && status >= 400 && status < 500) {
    return base(status, codeForStatus(status), 'Malformed request');
  }
  if (isDatabaseUnavailable(error)) {
    return base(503, ErrorCode.DATABASE_UNAVAILABLE, 'The database is unavailable; try again shortly');
  }
  return base(500, ErrorCode.INTERNAL_ERROR, 'Internal server error');
}
