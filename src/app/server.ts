import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { ConfigValidationError, loadConfig } from '../config/load-config.js';
import { createLogger } from '../common/logging/logger.js';
import { GatewayApp } from './gateway-app.js';

export interface ServeOptions {
  port?: number;
  host?: string;
}

/** After a clean stop the process should exit by itself; if a stray handle keeps it alive, say so and exit. */
const EXIT_GRACE_MS = 1000;

/**
 * Starts the gateway from the environment and keeps it running until SIGTERM or SIGINT, then shuts down gracefully.
 * Invalid configuration is reported in one message listing every problem, and the process exits with code 1.
 * Signals are handled from the first moment, so one arriving during startup (database init, migrations) stops the
 * gateway cleanly once it is up instead of killing it mid-write.
 */
export async function serve(options: ServeOptions = {}): Promise<void> {
  let config: AppConfig;
  let warnings: string[];
  try {
    const loaded = loadConfig(process.env);
    config = loaded.config;
    warnings = [...loaded.warnings, ...loaded.servingWarnings];
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  config = {
    ...config,
    http: { ...config.http, port: options.port ?? config.http.port, host: options.host ?? config.http.host },
  };
  const logger = createLogger(config.logLevel);
  for (const warning of warnings) logger.warn(warning);

  let gateway: GatewayApp | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopSignal) {
      // A second signal while stopping means the operator wants out now.
      logger.warn(`Received ${signal} during shutdown; exiting immediately`);
      logger.flush();
      process.exit(1);
    }
    stopSignal = signal;
    if (gateway) void stopAndExit(gateway, signal, logger);
    else logger.info(`Received ${signal} during startup; stopping once started`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    gateway = await GatewayApp.start(config, { logger });
  } catch (error) {
    const known = startFailure(error, config);
    if (known) logger.fatal(`Gateway failed to start: ${known}`);
    else logger.fatal({ err: error }, `Gateway failed to start: ${(error as Error).message}`);
    logger.flush();
    process.exitCode = 1;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    return;
  }
  if (stopSignal) await stopAndExit(gateway, stopSignal, logger);
}

async function stopAndExit(gateway: GatewayApp, signal: NodeJS.Signals, logger: Logger): Promise<void> {
  try {
    await gateway.stop(`received ${signal}`);
    process.exitCode = 0;
  } catch (error) {
    logger.error({ err: error }, 'Shutdown failed');
    process.exitCode = 1;
  }
  setTimeout(() => {
    logger.warn('Open handles kept the process alive after shutdown; exiting anyway');
    logger.flush();
    process.exit();
  }, EXIT_GRACE_MS).unref();
}

/** A start failure the operator fixes by a setting, said as such without a stack trace; undefined for anything else. */
function startFailure(error: unknown, config: AppConfig): string | undefined {
  const { code } = error as { code?: string };
  const where = `${config.http.host}:${config.http.port}`;
  if (code === 'EADDRINUSE') {
    return `${where} is already in use (another gateway or program listens there); stop it, or set MREG_PORT (and MREG_HOST) to a free address`;
  }
  if (code === 'EACCES') return `not allowed to listen on ${where}; use a port above 1023 (MREG_PORT)`;
  if (code === 'EADDRNOTAVAIL') return `${config.http.host} is not an address of this machine (MREG_HOST)`;
  return undefined;
}
