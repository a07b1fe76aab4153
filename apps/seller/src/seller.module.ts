import { OrderLookupModule } from '@flowscope/fulfilment';
import { FailureFlagsModule } from '@flowscope/fulfilment';
import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { SellerConfig } from './config';
import { ReleaseStock } from './stock/release-stock/release-stock';
import { ReleaseStockHandler } from './stock/release-stock/release-stock.handler';
import { ReservationBook } from './stock/reservation-book';
import { ReserveStock } from './stock/reserve-stock/reserve-stock';
import { ReserveStockHandler } from './stock/reserve-stock/reserve-stock.handler';

@Module({})
export class SellerModule {
  static forRoot(config: SellerConfig): DynamicModule {
    return {
      module: SellerModule,
      imports: [
        ServiceModule.forRoot({ service: 'seller', natsUrl: config.NATS_URL, natsAuth: natsAuth(config) }),
        OrderLookupModule.forRoot(),
        FailureFlagsModule.forService('seller'),
      ],
      controllers: [ReserveStockHandler, ReleaseStockHandler],
      providers: [ReservationBook, ReserveStock, ReleaseStock],
    };
  }
}
