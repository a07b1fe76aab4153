import { CUSTOMER_NOTIFIED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { EventPublisher, FailureInjector } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';

/** The one channel: sending is simulated, and contact details are never recorded. */
export const NOTIFICATION_CHANNEL = 'email';

/** Tells the customer how their order ended and publishes `customer.notified`, in either style. */
@Injectable()
export class NotifyCustomer {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(
    orderId: string,
    template: string,
    style: FlowStyle | undefined,
    causedBy?: EventEnvelope,
  ): Promise<{ channel: string; template: string }> {
    await this.failures.delay();
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
