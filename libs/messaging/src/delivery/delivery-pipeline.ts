import type { Logger } from '@nestjs/common';
import type { JsMsg } from 'nats';
import type { DeadLetters } from '../dead-letters';
import { messagingMetrics } from '../metrics';
import type { RedeliveryPolicy } from '../redelivery';
import { invokeInConsumerSpan, type HandlerCall } from './invoke-handler';
import { parseDelivery } from './parse-delivery';
import { Settlement, type DeliveryOutcome } from './settle';
import { reachesHandler, type EventHandlerExtras } from './style-filter';
import { Turns } from './turns';

/** One consumer's handler as the pipeline sees it. */
export interface DeliveryTarget {
  /** The subject filter (a metric label). */
  subject: string;
  /** The durable consumer (the span's consumer group). */
  durable: string;
  extras?: EventHandlerExtras;
  call: HandlerCall;
}

export interface DeliveryPipelineOptions {
  service: string;
  deadLetters: Pick<DeadLetters, 'send'>;
  redelivery: RedeliveryPolicy;
  logger: Pick<Logger, 'warn' | 'error'>;
}

/**
 * Every JetStream delivery goes through the same named steps: parse → filter → dedupe (turns) →
 * invoke in a consumer span → settle (ack, retry or dead-letter). Each step is its own file; this
 * composes them and counts the outcome. Transport-agnostic about Nest: the adapter supplies `call`.
 */
export class DeliveryPipeline {
  private readonly turns = new Turns();
  private readonly settle: Settlement;

  constructor(private readonly options: DeliveryPipelineOptions) {
    this.settle = new Settlement(options.deadLetters, options.redelivery, options.logger);
  }

  /** Handles one delivery to the end; never rejects (an unexpected failure is a retry). */
  async handle(msg: JsMsg, target: DeliveryTarget): Promise<DeliveryOutcome> {
    const labels = { service: this.options.service, subject: target.subject };
    const stopTimer = messagingMetrics.handling.startTimer(labels);
    const outcome = await this.steps(msg, target).catch((error: unknown) => {
      this.options.logger.error(`unexpected failure handling ${msg.subject} #${msg.seq}: ${String(error)}`);
      return this.settle.retry(msg);
    });
    stopTimer();
    messagingMetrics.consumed.inc({ ...labels, outcome });
    return outcome;
  }

  private async steps(msg: JsMsg, target: DeliveryTarget): Promise<DeliveryOutcome> {
    const parsed = parseDelivery(msg);
    if ('refused' in parsed) return this.settle.refuse(msg, parsed.refused);
    const { event } = parsed;
    if (!reachesHandler(event, target.extras)) return this.settle.ack(msg, 'ignored');
    return this.turns.run(Turns.keyOf(event), async () => {
      // The handler may hold the ack (JetStreamContext.holdAck): then it acks when it says so.
      let held = false;
      const holdAck = () => {
        held = true;
        return () => msg.ack();
      };
      try {
        await invokeInConsumerSpan(msg, event, target.durable, target.call, holdAck);
      } catch (error) {
        return this.settle.failed(msg, error);
      }
      return held ? 'held' : this.settle.ack(msg);
    });
  }
}
