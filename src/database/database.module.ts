import { Global, Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Database } from './database.js';
import { DatabaseMetrics } from './database-metrics.js';

@Global()
@Module({
  providers: [
    {
      provide: Database,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<Database> => {
        const logger = new Logger('Database');
        let lastWaitLog = 0;
        const database = await Database.open(config, {
          onConnectWait: (reason, leftMs) => {
            // Once every 5 s at most: a database that takes a minute should not fill the log.
            if (Date.now() - lastWaitLog < 5_000) return;
            lastWaitLog = Date.now();
            logger.warn(
              `PostgreSQL is not accepting connections yet (${reason}); retrying for ${Math.ceil(leftMs / 1000)} s more (MREG_DATABASE_WAIT_MS)`,
            );
          },
          onMigrationLockWait: (waited) =>
            logger.warn(
              `Waiting ${Math.round(waited / 1000)} s for another process to finish migrating this database`,
            ),
        });
        if (database.appliedAtOpen.length > 0) {
          logger.log(`Applied migrations: ${database.appliedAtOpen.join(', ')}`);
        }
        return database;
      },
    },
    { provide: DataSource, inject: [Database], useFactory: (database: Database) => database.dataSource },
    DatabaseMetrics,
  ],
  exports: [Database, DataSource],
})
export class DatabaseModule {}
