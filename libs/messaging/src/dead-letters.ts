import { dlqSubject, type ContractIssue } from '@flowscope/contracts';
import { withProducerSpan } from '@flowscope/telemetry';
import { headers as natsHeaders, type MsgHdrs } from 'nats';
import { messagingMetrics } from './metrics';
import type { NatsClient } from './nats-client';

/** Why a message was refused: a stable code, a sentence, and field paths where there are any. */
export interface DeadLetterReason {
  code: string;
  message: string;
  issues?: ContractIssue[];
}

/** The message as it arrived, copied byte for byte into the dead letter. */
export interface RefusedMessage {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  streamSequence?: number;
  deliveryCount?: number;
}

export const DLQ_HEADERS = {
  reason: 'Flowscope-Dlq-Reason',
  code: 'Flowscope-Dlq-Code',
  issues: 'Flowscope-Dlq-Issues',
  service: 'Flowscope-Dlq-Service',
  subject: 'Flowscope-Original-Subject',
  sequence: 'Flowscope-Original-Sequence',
  deliveries: 'Flowscope-Delivery-Count',
} as const;

/**
 * Copies refused messages to `dlq.<service>` (stored by the DLQ stream): the original body and
 * headers (so the trace carries on), plus the reason in `Flowscope-Dlq-*` headers.
 */
export class DeadLetters {
  constructor(
    private readonly nats: NatsClient,
    private readonly service: string,
  ) {}

  /**
   * Stores the dead letter once per service and original message: it carries the Nats-Msg-Id
   * `<service>:<stream sequence>`, so when a PubAck is lost (a time-out under load, the letter stored
   * anyway) and the message comes back, the second copy is dropped by JetStream. Resolves true when
   * this call stored it (and counted it), false for such a copy.
   */
  async send(message: RefusedMessage, reason: DeadLetterReason): Promise<boolean> {
    const subject = dlqSubject(this.service);
    const headers = natsHeaders();
    for (const key of message.headers?.keys() ?? []) {
      if (!/^nats-/i.test(key)) for (const value of message.headers!.values(key)) headers.append(key, value);
    }
    headers.set(DLQ_HEADERS.reason, oneLine(reason.message));
    headers.set(DLQ_HEADERS.code, reason.code);
    if (reason.issues?.length) headers.set(DLQ_HEADERS.issues, oneLine(JSON.stringify(reason.issues)));
    headers.set(DLQ_HEADERS.service, this.service);
    headers.set(DLQ_HEADERS.subject, message.subject);
    if (message.streamSequence !== undefined) headers.set(DLQ_HEADERS.sequence, String(message.streamSequence));
    if (message.deliveryCount !== undefined) headers.set(DLQ_HEADERS.deliveries, String(message.deliveryCount));
    const msgID = message.streamSequence !== undefined ? `${this.service}:${message.streamSequence}` : undefined;
    const ack = await withProducerSpan(subject, headers, {}, () =>
      this.nats.js.publish(subject, message.data, { headers, ...(msgID ? { msgID } : {}) }),
    );
    if (ack.duplicate) return false;
    messagingMetrics.deadLetters.inc({ service: this.service, subject: message.subject, code: reason.code });
    return true;
  }
}

// Header values cannot hold line breaks, and a reason is for people: keep it short.
function oneLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length > 1000 ? `${flat.slice(0, 997)}...` : flat;
}
