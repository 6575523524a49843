import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/** Contexts of Nest's start-up detail (routes mapped, modules and microservices initialised). */
const STARTUP_DETAIL = new Set([
  'RouterExplorer',
  'RoutesResolver',
  'InstanceLoader',
  'NestFactory',
  'NestMicroservice',
]);

/** Routes Nest's own logging (bootstrap, module init, mcp-nest) into the same pino JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const fields = this.fields(params);
    // Nest's one line per mapped route and module is start-up detail: debug, so the start log says what matters.
    const detail = fields.context !== undefined && STARTUP_DETAIL.has(fields.context);
    this.logger[detail ? 'debug' : 'info'](fields, this.text(message));
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest calls error(message, stack?, context?).
    const [stackOrContext, context] = params;
    const stack =
      typeof stackOrContext === 'string' && stackOrContext.includes('\n') ? stackOrContext : undefined;
    const ctx = stack ? context : stackOrContext;
    const err = message instanceof Error ? message : undefined;
    this.logger.error({ context: typeof ctx === 'string' ? ctx : undefined, stack, err }, this.text(message));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn(this.fields(params), this.text(message));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug(this.fields(params), this.text(message));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.trace(this.fields(params), this.text(message));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.logger.fatal(this.fields(params), this.text(message));
  }

  private fields(params: unknown[]): { context?: string } {
    const context = params.at(-1);
    return typeof context === 'string' ? { context } : {};
  }

  private text(message: unknown): string {
    if (message instanceof Error) return message.message;
    return typeof message === 'string' ? message : JSON.stringify(message);
  }
}
