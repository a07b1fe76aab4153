import { Inject, Injectable } from '@nestjs/common';
import type { OrderRecord } from '../order-record';
import { OrderStore } from '../order-store';
import { SagaStore } from '../saga/saga-store';
import { orchestratedOrderView } from './order-view';

/** The order as the orders service knows it: its record, and for an orchestrated order its saga's progress. */
@Injectable()
export class GetOrder {
  constructor(
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(SagaStore) private readonly sagas: SagaStore,
  ) {}

  async execute(orderId: string): Promise<OrderRecord | undefined> {
    const record = await this.orders.get(orderId);
    if (record?.style !== 'orchestration') return record;
    const saga = await this.sagas.get(orderId);
    return saga ? orchestratedOrderView(record, saga) : record;
  }
}
