import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Public } from '../common/decorators/auth.decorators.js';
import { ConsoleAssets, type ConsoleFile } from './console-assets.js';
import { setConsoleSecurityHeaders } from './console-headers.js';

export const CONSOLE_PATH = '/admin';

/**
 * Serves the admin console's static files at `/admin`. Public: the files hold no data, and every call the console
 * makes to the REST API carries the signed-in user's bearer token (docs/adr/0014-admin-console.md).
 */
@ApiExcludeController()
@Public()
// A page load fetches a handful of files; the anonymous per-IP limit (20 a minute) is meant for API abuse.
@SkipThrottle()
@Controller()
export class AdminConsoleController {
  private readonly assets = ConsoleAssets.load();

  @Get([CONSOLE_PATH.slice(1), `${CONSOLE_PATH.slice(1)}/*path`])
  serve(@Req() req: Request, @Res() res: Response): void {
    setConsoleSecurityHeaders(res);
    const relative = decodeSafely(req.path.slice(CONSOLE_PATH.length).replace(/^\/+/, ''));
    const file = relative ? this.assets.file(relative) : undefined;
    if (file) return send(res, file);
    // A missing asset is a 404, not the app: a stale page asking for an old bundle must not get HTML as script.
    if (relative === undefined || relative.startsWith('assets/') || !this.assets.built) {
      res.status(404).type('text/plain').setHeader('Cache-Control', 'no-store');
      res.send(
        this.assets.built
          ? 'Not found'
          : 'The admin console is not built into this gateway: run `npm run build`.',
      );
      return;
    }
    // Any other path is one of the console's own routes (/admin/servers/…): the app's document answers it.
    send(res, this.assets.index()!);
  }
}

function send(res: Response, file: ConsoleFile): void {
  res.setHeader('Content-Type', file.contentType);
  // The document is revalidated every time so a new build is picked up; hashed assets never change.
  res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.status(200).send(file.body);
}

function decodeSafely(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}
