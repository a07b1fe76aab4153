import type { EventEnvelope } from '@flowscope/contracts';
import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { applyOrderEvent, type OrderRecord } from './order-record';

/** Orders' state in the KV bucket `orders`, keyed by orderId. */
@Injectable()
export class OrderStore implements OnModuleInit {
  private kv!: JsonKv<OrderRecord>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    this.kv = await JsonKv.open(this.nats.js, 'orders');
  }

  async get(orderId: string): Promise<OrderRecord | undefined> {
    return (await this.kv.get(orderId))?.value;
  }

  /** Folds the event into the stored order with optimistic concurrency; returns before and after. */
  async apply(event: EventEnvelope): Promise<{ before?: OrderRecord; after: OrderRecord }> {
    let before: OrderRecord | undefined;
    const after = await this.kv.update(event.data.orderId, (current) => {
      before = current;
      return applyOrderEvent(current, event);
    });
    return { before, after: after! };
  }
}
