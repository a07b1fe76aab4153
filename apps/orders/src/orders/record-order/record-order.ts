import type { CUSTOMER_NOTIFIED, EventEnvelope, ORDER_PLACED } from '@flowscope/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { OrderStore } from '../order-store';
import { StartSaga } from '../start-saga/start-saga';

/**
 * Keeps the orders service's view of an order: a placed order is recorded (and an orchestrated one
 * handed to its saga), a notification noted.
 */
@Injectable()
export class RecordOrder {
  constructor(
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(StartSaga) private readonly startSaga: StartSaga,
  ) {}

  async placed(event: EventEnvelope<typeof ORDER_PLACED>): Promise<void> {
    await this.orders.apply(event);
    if (event.data.style === 'orchestration') await this.startSaga.execute(event);
  }

  async notified(event: EventEnvelope<typeof CUSTOMER_NOTIFIED>): Promise<void> {
    await this.orders.apply(event);
  }
}
