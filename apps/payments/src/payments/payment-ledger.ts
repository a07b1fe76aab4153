import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

/** Payments whose record revision this process remembers (a few MB). */
const RECENT_PAYMENTS = 4096;

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
    // A refund mostly follows our own authorization of the order: no read of it first.
    this.kv = await JsonKv.open(this.nats.js, 'payments', {}, { recentKeys: RECENT_PAYMENTS });
  }

  /**
   * The order's payment as this process last knew it (or read); `markRefunded` writes against that
   * revision and reads again if it moved on.
   */
  async get(orderId: string): Promise<PaymentRecord | undefined> {
    return (await this.kv.getRecent(orderId))?.value;
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
