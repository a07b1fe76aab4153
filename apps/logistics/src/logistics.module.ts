import { OrderLookupModule } from '@flowscope/fulfilment';
import { FailureFlagsModule } from '@flowscope/fulfilment';
import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { LogisticsConfig } from './config';
import { ScheduleShipment } from './shipping/schedule-shipment/schedule-shipment';
import { ScheduleShipmentHandler } from './shipping/schedule-shipment/schedule-shipment.handler';

@Module({})
export class LogisticsModule {
  static forRoot(config: LogisticsConfig): DynamicModule {
    return {
      module: LogisticsModule,
      imports: [
        ServiceModule.forRoot({ service: 'logistics', natsUrl: config.NATS_URL, natsAuth: natsAuth(config) }),
        OrderLookupModule.forRoot(),
        FailureFlagsModule.forService('logistics'),
      ],
      controllers: [ScheduleShipmentHandler],
      providers: [ScheduleShipment],
    };
  }
}
