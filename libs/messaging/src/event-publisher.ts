import { buildEvent, type EventData, type EventEnvelope, type EventType } from '@flowscope/contracts';
import { withProducerSpan } from '@flowscope/telemetry';
import { headers as natsHeaders } from 'nats';
import { messagingMetrics } from './metrics';
import type { NatsClient } from './nats-client';

export interface PublishOptions {
  /** The event being handled: becomes the causation id, and its correlation id carries on. */
  causedBy?: EventEnvelope;
  /** Overrides the deterministic id (one event of a type per order). */
  id?: string;
}

/** Publishes domain events to JetStream: CloudEvents, `Nats-Msg-Id` = event id, trace context, PubAck awaited. */
export class EventPublisher {
  constructor(
    private readonly nats: NatsClient,
    private readonly service: string,
  ) {}

  async publish<T extends EventType>(
    type: T,
    data: EventData<T>,
    options: PublishOptions = {},
  ): Promise<EventEnvelope<T>> {
    return (await this.store(type, data, options)).event;
  }

  /**
   * Publishes an event that must be new: undefined when JetStream holds its id already (within the
   * stream's duplicate window), e.g. an order id placed a moment ago.
   */
  async publishNew<T extends EventType>(
    type: T,
    data: EventData<T>,
    options: PublishOptions = {},
  ): Promise<EventEnvelope<T> | undefined> {
    const { event, duplicate } = await this.store(type, data, options);
    return duplicate ? undefined : event;
  }

  private async store<T extends EventType>(type: T, data: EventData<T>, options: PublishOptions) {
    const event = buildEvent(type, data, { source: this.service, id: options.id, causedBy: options.causedBy });
    const headers = natsHeaders();
    const attrs = { messageId: event.id, orderId: event.subject, style: event.data.style ?? 'choreography' };
    const ack = await withProducerSpan(type, headers, attrs, () =>
      // The PubAck is the proof the event is stored; an un-awaited publish is a lost event.
      this.nats.js.publish(type, JSON.stringify(event), {
        msgID: event.id,
        headers,
        expect: { streamName: 'EVENTS' },
      }),
    );
    messagingMetrics.published.inc({ service: this.service, subject: type });
    return { event, duplicate: ack.duplicate };
  }
}
