import { MessagingModule } from '@flowscope/messaging';
import { TelemetryModule } from '@flowscope/telemetry';
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

export interface ServiceModuleOptions {
  service: string;
  natsUrl: string;
}

/** What every Flowscope service has: logging and tracing, NATS, `/health` and `/metrics`. */
@Module({})
export class ServiceModule {
  static forRoot(options: ServiceModuleOptions): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        TelemetryModule.forRoot({ service: options.service }),
        MessagingModule.forRoot({ service: options.service, natsUrl: options.natsUrl }),
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
