import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

/** As long as EVENTS keeps an event (7 days): no redelivery can come after its mark expired. */
export const SENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** What is remembered of a sent notification: when, never to whom. */
interface SentMark {
  at: string;
}

/**
 * The one side effect that must not repeat when an event or command arrives twice (a redelivery, a
 * second replica): telling the customer. KV bucket `notification-sent`, keyed `<orderId>.<template>`,
 * each mark kept for {@link SENT_RETENTION_MS}. Everything else in the flow is idempotent by itself.
 */
@Injectable()
export class SentNotifications implements OnModuleInit {
  private kv!: Pick<JsonKv<SentMark>, 'tryCreate'>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    this.kv = await JsonKv.open<SentMark>(this.nats.js, 'notification-sent', { ttl: SENT_RETENTION_MS });
  }

  /** True for the first caller only (one KV create; a duplicate learns from the conflict). */
  async claim(orderId: string, template: string): Promise<boolean> {
    return this.kv.tryCreate(`${orderId}.${template}`, { at: new Date().toISOString() });
  }

  /** For tests: a store other than KV. */
  static over(kv: Pick<JsonKv<SentMark>, 'tryCreate'>): SentNotifications {
    const sent = new SentNotifications(undefined as unknown as NatsClient);
    sent.kv = kv;
    return sent;
  }
}
