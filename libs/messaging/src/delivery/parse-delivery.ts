import { ContractError, parseEvent, type EventEnvelope } from '@flowscope/contracts';
import type { JsMsg } from 'nats';
import type { DeadLetterReason } from '../dead-letters';

/** A delivery read as a domain event, or the reason it is refused (never retried: it cannot improve). */
export type ParsedDelivery = { event: EventEnvelope } | { refused: DeadLetterReason };

/**
 * Step 1, parse: the message's bytes as a validated CloudEvent (or a bare JSON object, whose id is
 * `Nats-Msg-Id` or `<subject>#<stream sequence>`). Anything but a contract violation is a bug and throws.
 */
export function parseDelivery(
  msg: Pick<JsMsg, 'subject' | 'data' | 'headers' | 'info'>,
  receivedAt = new Date(),
): ParsedDelivery {
  try {
    const event = parseEvent({
      subject: msg.subject,
      body: msg.data,
      msgId: () => msg.headers?.get('Nats-Msg-Id') || undefined,
      streamSequence: msg.info.streamSequence,
      receivedAt,
    });
    return { event };
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    return { refused: { code: error.code, message: error.message, issues: error.issues } };
  }
}
