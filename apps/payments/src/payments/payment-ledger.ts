import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

/** A payment as payments remembers it: what to refund, and whether it was. */
export interface PaymentRecord {
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: 'authorized' | 'declined' | 'refunded';
  reason?: string;
}

/** Payments' own store (KV bucket `payments`), keyed by orderId. */
@Injectable()
export class PaymentLedger implements OnModuleInit {
  private kv!: JsonKv<PaymentRecord>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    this.kv = await JsonKv.open(this.nats.js, 'payments');
  }

  async get(orderId: string): Promise<PaymentRecord | undefined> {
    return (await this.kv.get(orderId))?.value;
  }

  /** Records the first outcome for an order; a later call returns that outcome unchanged. */
  async recordOnce(record: PaymentRecord): Promise<PaymentRecord> {
    return this.kv.putIfAbsent(record.orderId, record);
  }

  async markRefunded(orderId: string): Promise<PaymentRecord | undefined> {
    return this.kv.update(orderId, (current) =>
      current?.status === 'authorized' ? { ...current, status: 'refunded' } : undefined,
    );
  }
}
