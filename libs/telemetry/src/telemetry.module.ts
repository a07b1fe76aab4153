import { Injectable, Module, RequestMethod } from '@nestjs/common';
import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { shutdownTelemetry } from './lifecycle';
import { createLogger } from './logger';
import type { TelemetryModuleOptions } from './types';

// Scraped every few seconds: one access-log line per scrape is noise, and the per-request logger
// middleware (a child logger and an AsyncLocalStorage scope per request) is cost for nothing.
const PROBE_ROUTES = [
  { path: 'health', method: RequestMethod.ALL },
  { path: 'metrics', method: RequestMethod.ALL },
];

/** Flushes spans when Nest shuts down (needs app.enableShutdownHooks() for SIGTERM). */
@Injectable()
export class TelemetryShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
  }
}

/**
 * Logging and telemetry lifecycle for an app: nestjs-pino backed by createLogger(service), and
 * the span flush on shutdown. Apps then call `app.useLogger(app.get(Logger))` (nestjs-pino).
 */
@Module({})
export class TelemetryModule {
  static forRoot(options: TelemetryModuleOptions): DynamicModule {
    const logging = LoggerModule.forRoot({
      pinoHttp: { logger: createLogger(options.service) },
      exclude: PROBE_ROUTES,
    });
    return {
      module: TelemetryModule,
      imports: [logging],
      providers: [TelemetryShutdown],
      exports: [logging],
    };
  }
}
