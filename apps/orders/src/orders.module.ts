import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { ORDERS_CONFIG, type OrdersConfig } from './config';
import { GetOrderController } from './orders/get-order/get-order.controller';
import { OrderStore } from './orders/order-store';
import { PlaceOrderController } from './orders/place-order/place-order.controller';
import { SagaRunner } from './orders/saga/saga-runner';
import { TrackOrderHandler } from './orders/track-order/track-order.handler';

@Module({})
export class OrdersModule {
  static forRoot(config: OrdersConfig): DynamicModule {
    return {
      module: OrdersModule,
      imports: [ServiceModule.forRoot({ service: 'orders', natsUrl: config.NATS_URL, natsAuth: natsAuth(config) })],
      controllers: [PlaceOrderController, GetOrderController, TrackOrderHandler],
      providers: [OrderStore, SagaRunner, { provide: ORDERS_CONFIG, useValue: config }],
    };
  }
}
