import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { ORDERS_CONFIG, type OrdersConfig } from './config';
import { CancelOrder } from './orders/cancel-order/cancel-order';
import { CancelOrderHandler } from './orders/cancel-order/cancel-order.handler';
import { CompleteOrder } from './orders/complete-order/complete-order';
import { CompleteOrderHandler } from './orders/complete-order/complete-order.handler';
import { GetOrder } from './orders/get-order/get-order';
import { GetOrderController } from './orders/get-order/get-order.controller';
import { OrderStore } from './orders/order-store';
import { PlaceOrder } from './orders/place-order/place-order';
import { PlaceOrderController } from './orders/place-order/place-order.controller';
import { RecordOrder } from './orders/record-order/record-order';
import { RecordOrderHandler } from './orders/record-order/record-order.handler';
import { SagaRunner } from './orders/saga/saga-runner';
import { SagaStore } from './orders/saga/saga-store';
import { StartSaga } from './orders/start-saga/start-saga';

@Module({})
export class OrdersModule {
  static forRoot(config: OrdersConfig): DynamicModule {
    return {
      module: OrdersModule,
      imports: [ServiceModule.forRoot({ service: 'orders', natsUrl: config.NATS_URL, natsAuth: natsAuth(config) })],
      controllers: [
        PlaceOrderController,
        GetOrderController,
        RecordOrderHandler,
        CompleteOrderHandler,
        CancelOrderHandler,
      ],
      providers: [
        { provide: ORDERS_CONFIG, useValue: config },
        OrderStore,
        SagaStore,
        SagaRunner,
        PlaceOrder,
        GetOrder,
        RecordOrder,
        StartSaga,
        CompleteOrder,
        CancelOrder,
      ],
    };
  }
}
