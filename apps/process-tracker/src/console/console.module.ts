import { Module, type DynamicModule } from '@nestjs/common';
import path from 'node:path';
import { ConsoleApiController } from './console-api.controller';
import { ConsoleAssetsController } from './console-assets.controller';
import type { ConsoleConfig } from './console-config';
import { ConsoleOverview } from './console-overview';
import { CONSOLE_ASSETS_DIR, CONSOLE_CONFIG } from './console-tokens';
import { LiveUpdatesController } from './live-updates.controller';
import { JaegerTraceSource } from './traces/jaeger-trace-source';

/** Where `npm run build` puts the bundle: dist/apps/process-tracker/console, beside this code's dist/.../src. */
export const DEFAULT_ASSETS_DIR = path.resolve(__dirname, '..', '..', 'console');

/**
 * The console: its files at `/`, its data under `/api/console`. It reads the tracker only through
 * FLOW_QUERIES (provided by the tracker's module) and Jaeger through its API.
 */
@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig, assetsDir = DEFAULT_ASSETS_DIR): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleAssetsController, ConsoleApiController, LiveUpdatesController],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: CONSOLE_ASSETS_DIR, useValue: assetsDir },
        ConsoleOverview,
        JaegerTraceSource,
      ],
    };
  }
}
