import type { EventEnvelope } from '@flowscope/contracts';
import { withConsumerSpan } from '@flowscope/telemetry';
import type { JsMsg } from 'nats';
import { JetStreamContext } from '../jetstream-context';

/** Calls the Nest handler with the event and its context, resolving when its result has settled. */
export type HandlerCall = (event: EventEnvelope, ctx: JetStreamContext) => Promise<void>;

/**
 * Step 4, invoke: the handler inside a CONSUMER span `process <subject>`, child of the producer's
 * span whose context came in the headers (and linked to it). Throws what the handler throws.
 */
export function invokeInConsumerSpan(
  msg: Pick<JsMsg, 'subject' | 'headers' | 'info'>,
  event: EventEnvelope,
  consumerGroup: string,
  call: HandlerCall,
  holdAck?: () => () => void,
): Promise<void> {
  const attrs = {
    messageId: event.id,
    orderId: event.subject,
    style: event.data.style ?? 'choreography',
    consumerGroup,
  };
  const args = [msg.subject, msg.headers, msg.info] as const;
  const ctx = holdAck ? JetStreamContext.withHolder([...args], holdAck) : new JetStreamContext([...args]);
  return withConsumerSpan(msg.subject, msg.headers, attrs, () => call(event, ctx), {
    traceSeed: event.correlationid,
  });
}
