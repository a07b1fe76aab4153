import { CUSTOMER_NOTIFIED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { FailureInjector } from '@flowscope/fulfilment';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { SentNotifications } from './sent-notifications';

/** Labels: the template only (never an order id). Two replicas together must count one per order and template. */
export const notificationsSent =
  (register.getSingleMetric('flowscope_notifications_sent_total') as Counter | undefined) ??
  new Counter({
    name: 'flowscope_notifications_sent_total',
    help: 'Customer notifications sent (simulated), once per order and template whatever the redeliveries',
    labelNames: ['template'],
  });

/** The one channel: sending is simulated, and contact details are never recorded. */
export const NOTIFICATION_CHANNEL = 'email';

/**
 * Tells the customer how their order ended and publishes `customer.notified`, in either style. The
 * message goes out once per order and template (SentNotifications); `customer.notified` is published
 * every time, under the one event id per order, which JetStream's duplicate window drops.
 */
@Injectable()
export class NotifyCustomer {
  private readonly logger = new Logger('NotifyCustomer');

  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
    @Inject(SentNotifications) private readonly sent: SentNotifications,
  ) {}

  async execute(
    orderId: string,
    template: string,
    style: FlowStyle | undefined,
    causedBy?: EventEnvelope,
  ): Promise<{ channel: string; template: string }> {
    await this.failures.delay();
    // Sending is simulated: the log line stands for the e-mail (order id and template only).
    if (await this.sent.claim(orderId, template)) {
      notificationsSent.inc({ template });
      this.logger.log(`sent ${template} for order ${orderId}`);
    }
    if (!this.failures.drops(CUSTOMER_NOTIFIED, orderId)) {
      await this.events.publish(
        CUSTOMER_NOTIFIED,
        { orderId, channel: NOTIFICATION_CHANNEL, template, style },
        { causedBy },
      );
    }
    return { channel: NOTIFICATION_CHANNEL, template };
  }
}
