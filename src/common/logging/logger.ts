import { pino, type Logger, type LevelWithSilent } from 'pino';
import { currentRequestContext } from '../context/request-context.js';

/**
 * Paths pino blanks out wherever they appear in a logged object. The request serializer never logs headers at
 * all; this is the second line of defence for anything a caller logs by accident.
 */
const REDACTED_PATHS = [
  'authorization',
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'encryptionKey',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.clientSecret',
  '*.encryptionKey',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mcp-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const context = currentRequestContext();
        if (!context) return {};
        const { correlationId, tenantId, principalOid, serverId, tool } = context;
        return {
          correlationId,
          ...(tenantId ? { tenantId } : {}),
          ...(principalOid ? { principalOid } : {}),
          ...(serverId ? { serverId } : {}),
          ...(tool ? { tool } : {}),
        };
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
