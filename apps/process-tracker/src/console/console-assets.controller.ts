import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONSOLE_ASSETS_DIR } from './console-tokens';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's built files (npm run build), read once at boot: `/` and `/assets/<file>`. */
@Controller()
export class ConsoleAssetsController {
  private readonly files = new Map<string, Buffer>();

  constructor(@Inject(CONSOLE_ASSETS_DIR) private readonly dir: string) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => TYPES[path.extname(name)]);
    } catch {
      // Not built: `/` says so instead of the tracker refusing to start (its API still works).
    }
    for (const name of names) this.files.set(name, readFileSync(path.join(dir, name)));
  }

  @Get()
  @Header('cache-control', 'no-cache')
  index(@Res() res: Response): void {
    const page = this.files.get('index.html');
    if (!page)
      throw new ServiceUnavailableException({
        error: 'CONSOLE_NOT_BUILT',
        message: `no console in ${this.dir}: run npm run build`,
      });
    res.type(TYPES['.html']).send(page);
  }

  @Get('assets/:file')
  @Header('cache-control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const body = file === 'index.html' ? undefined : this.files.get(file);
    if (!body) throw new NotFoundException({ error: 'NOT_FOUND', message: `no console file ${file}` });
    res.type(TYPES[path.extname(file)]).send(body);
  }
}
