import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

/**
 * A payment as payments remembers it: what to refund, and whether it was. `voided`: the saga refunded
 * an order before payments had authorized it (a step it gave up on); a late authorize is refused.
 */
export interface PaymentRecord {
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: 'authorized' | 'declined' | 'refunded' | 'voided';
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

  /** Voids an order payments has not seen; returns what it holds for the order afterwards. */
  async voidIfAbsent(orderId: string, reason: string): Promise<PaymentRecord> {
    return this.kv.putIfAbsent(orderId, {
      orderId,
      paymentId: `pay-${orderId}`,
      amount: 0,
      currency: '',
      status: 'voided',
      reason,
    });
  }

  async markRefunded(orderId: string): Promise<PaymentRecord | undefined> {
    return this.kv.update(orderId, (current) =>
      current?.status === 'authorized' ? { ...current, status: 'refunded' } : undefined,
    );
  }
}
