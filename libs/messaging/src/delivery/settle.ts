import { DeliveryCode } from '@flowscope/contracts';
import type { Logger } from '@nestjs/common';
import type { JsMsg } from 'nats';
import type { DeadLetterReason, DeadLetters } from '../dead-letters';
import type { RedeliveryPolicy } from '../redelivery';

/**
 * What became of a delivery: the `outcome` label of flowscope_messages_consumed_total. `held`: the
 * handler keeps the ack and gives it later (JetStreamContext.holdAck).
 */
export type DeliveryOutcome = 'ack' | 'ignored' | 'retry' | 'dead_letter' | 'held';

type SettledMsg = Pick<JsMsg, 'subject' | 'seq' | 'data' | 'headers' | 'info' | 'ack' | 'nak' | 'term'>;

/**
 * Step 5, settle: acknowledge, retry with backoff, or dead-letter. A handler's failure is retried up
 * to `maxDeliver` deliveries, then dead-lettered with MAX_DELIVERIES; a refused message is copied to
 * `dlq.<service>` with its reason and terminated at once.
 */
export class Settlement {
  constructor(
    private readonly deadLetters: Pick<DeadLetters, 'send'>,
    private readonly redelivery: RedeliveryPolicy,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  ack(msg: SettledMsg, outcome: 'ack' | 'ignored' = 'ack'): DeliveryOutcome {
    msg.ack();
    return outcome;
  }

  async failed(msg: SettledMsg, error: unknown): Promise<DeliveryOutcome> {
    const text = error instanceof Error ? error.message : JSON.stringify(error);
    const deliveries = msg.info.deliveryCount;
    if (deliveries >= this.redelivery.maxDeliver) {
      return this.refuse(msg, {
        code: DeliveryCode.MAX_DELIVERIES,
        message: `handler failed ${deliveries} times, last: ${text}`,
      });
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    this.logger.warn(
      `${msg.subject} #${msg.seq} failed (delivery ${deliveries}, ${typeof code === 'string' ? code : 'error'}): ${text}; retrying`,
    );
    return this.retry(msg);
  }

  retry(msg: SettledMsg): DeliveryOutcome {
    msg.nak(this.redelivery.backoffMs(msg.info.deliveryCount));
    return 'retry';
  }

  async refuse(msg: SettledMsg, reason: DeadLetterReason): Promise<DeliveryOutcome> {
    this.logger.warn(`${msg.subject} #${msg.seq} dead-lettered: ${reason.code}: ${reason.message}`);
    const { subject, data, headers } = msg;
    const { streamSequence, deliveryCount } = msg.info;
    await this.deadLetters.send({ subject, data, headers, streamSequence, deliveryCount }, reason);
    msg.term(reason.code);
    return 'dead_letter';
  }
}
