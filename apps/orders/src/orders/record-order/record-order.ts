import type { CUSTOMER_NOTIFIED, EventEnvelope, ORDER_PLACED } from '@flowscope/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { OrderStore } from '../order-store';
import { StartSaga } from '../start-saga/start-saga';

/**
 * Keeps the orders service's view of an order: a placed order is recorded (and an orchestrated one
 * handed to its saga), a choreographed order's notification noted.
 */
@Injectable()
export class RecordOrder {
  constructor(
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(StartSaga) private readonly startSaga: StartSaga,
  ) {}

  /** `holdAck`: keeps the delivery's ack until the saga it starts is stored (see StartSaga). */
  async placed(event: EventEnvelope<typeof ORDER_PLACED>, holdAck?: () => () => void): Promise<void> {
    if (event.data.style !== 'orchestration') {
      await this.orders.apply(event);
      return;
    }
    // Nothing but its placement folds into an orchestrated order's record: one there already (POST
    // /orders wrote it, or this is a redelivery) is this placement, and needs no read.
    const created = await this.orders.create(event);
    await this.startSaga.execute(event, { created, holdAck });
  }

  async notified(event: EventEnvelope<typeof CUSTOMER_NOTIFIED>): Promise<void> {
    await this.orders.apply(event);
  }
}
