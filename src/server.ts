import type { AppConfig } from './config/app-config.js';
import { ConfigValidationError, loadConfig } from './config/load-config.js';
import { createLogger } from './common/logging/logger.js';
import { GatewayApp } from './gateway-app.js';

export interface ServeOptions {
  port?: number;
  host?: string;
}

/**
 * Starts the gateway from the environment and keeps it running until SIGTERM or SIGINT, then shuts down gracefully.
 * Invalid configuration is reported in one message listing every problem, and the process exits with code 1.
 */
export async function serve(options: ServeOptions = {}): Promise<void> {
  let config: AppConfig;
  let warnings: string[];
  try {
    ({ config, warnings } = loadConfig(process.env));
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

  let gateway: GatewayApp;
  try {
    gateway = await GatewayApp.start(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, `Gateway failed to start: ${(error as Error).message}`);
    logger.flush();
    process.exitCode = 1;
    return;
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal while draining means the operator wants out now.
    const forceExit = (again: NodeJS.Signals) => {
      logger.warn(`Received ${again} during shutdown; exiting immediately`);
      logger.flush();
      process.exit(1);
    };
    process.once('SIGTERM', forceExit);
    process.once('SIGINT', forceExit);
    gateway.stop(`received ${signal}`).then(
      () => {
        process.exitCode = 0;
        // Everything is closed; if a stray handle would keep the process alive, do not let it hang the rollout.
        setTimeout(() => process.exit(0), 1000).unref();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
