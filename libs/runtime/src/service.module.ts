import { MessagingModule } from '@flowscope/messaging';
import { TelemetryModule } from '@flowscope/telemetry';
import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsAuth } from './config';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

export interface ServiceModuleOptions {
  service: string;
  natsUrl: string;
  /** The service's own NATS user (see `natsAuth`); none: connect without authentication. */
  natsAuth?: NatsAuth;
}

/** What every Flowscope service has: logging and tracing, NATS, `/health` and `/metrics`. */
@Module({})
export class ServiceModule {
  static forRoot(options: ServiceModuleOptions): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        TelemetryModule.forRoot({ service: options.service }),
        MessagingModule.forRoot({ service: options.service, natsUrl: options.natsUrl, natsAuth: options.natsAuth }),
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
