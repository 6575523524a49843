import { Module } from '@nestjs/common';
import { AdminConsoleController } from './admin-console.controller.js';

/** The browser admin console (admin/ in the repository, built into dist/console), served at `/admin`. */
@Module({ controllers: [AdminConsoleController] })
export class AdminConsoleModule {}
