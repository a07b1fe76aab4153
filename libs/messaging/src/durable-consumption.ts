import { Logger } from '@nestjs/common';
import type { ConsumerMessages, JetStreamClient, JsMsg, NatsConnection } from 'nats';
import { setTimeout as delay } from 'node:timers/promises';
import { Counter, register } from 'prom-client';

const restarts =
  (register.getSingleMetric('flowscope_consumer_restarts_total') as Counter | undefined) ??
  new Counter({
    name: 'flowscope_consumer_restarts_total',
    help: 'Times a durable consumer stopped delivering without being closed (nats.js ended it) and was consumed again',
    labelNames: ['service', 'consumer'],
  });

/** nats.js' informational notifications (pulls, discards, 408s of expired pulls): not worth a line. */
const ROUTINE = new Set<string>(['next', 'discard', 'reset', 'debug']);

export interface DurableConsumptionOptions {
  js: JetStreamClient;
  /** Its connection: a consume that ends because the connection drains or closes (shutdown) is no failure. */
  nc: Pick<NatsConnection, 'isClosed' | 'isDraining'>;
  /** The `service` label, and the log's context. */
  service: string;
  stream: string;
  durable: string;
  /** Messages pulled ahead (nats.js `max_messages`). */
  maxMessages: number;
  /** Takes one message; the next one waits until it settles, so it may hold back for its own limit. */
  onMessage(msg: JsMsg): void | Promise<void>;
  /** Before consuming again after an unexpected end (default 1 s). */
  restartDelayMs?: number;
}

/**
 * A durable consumer's messages, taken one by one until `close()`. nats.js ends a `consume()` by
 * itself on some server answers (a 400, a deleted consumer, a subscription error such as a permission
 * refused while a restarted server recovers): a service that just stopped there would keep running and
 * never see that subject again. Here such an end is logged, counted in
 * `flowscope_consumer_restarts_total{service,consumer}`, and the durable is consumed again: it
 * resumes where the server says it is, nothing skipped. Its status notifications are logged too.
 */
export class DurableConsumption {
  private readonly logger: Logger;
  private current?: ConsumerMessages;
  private closing = false;
  private loop?: Promise<void>;

  private constructor(private readonly options: DurableConsumptionOptions) {
    this.logger = new Logger(`Consumer ${options.durable}`);
  }

  /** Resolves once the first consume is set up (so a service is ready only when it consumes). */
  static async start(options: DurableConsumptionOptions): Promise<DurableConsumption> {
    const consumption = new DurableConsumption(options);
    consumption.current = await consumption.open();
    consumption.loop = consumption.run();
    return consumption;
  }

  /** Stops pulling; resolves once the message being taken has settled. */
  async close(): Promise<void> {
    this.closing = true;
    await this.current?.close();
    await this.loop;
  }

  private async open(): Promise<ConsumerMessages> {
    const { js, stream, durable, maxMessages } = this.options;
    const consumer = await js.consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: maxMessages });
    void this.logStatus(messages);
    return messages;
  }

  private async run(): Promise<void> {
    const { durable, service } = this.options;
    for (;;) {
      const messages = this.current;
      if (messages) {
        try {
          for await (const msg of messages) await this.options.onMessage(msg);
        } catch (error) {
          if (!this.closing) this.logger.error(`consuming ${durable} failed: ${String(error)}`);
        }
      }
      if (this.closing || this.options.nc.isClosed() || this.options.nc.isDraining()) return;
      restarts.inc({ service, consumer: durable });
      const wait = this.options.restartDelayMs ?? 1000;
      this.logger.error(`${durable} stopped delivering without being closed; consuming it again in ${wait} ms`);
      await delay(wait);
      if (this.closing) return;
      this.current = await this.open().catch((error: unknown) => {
        this.logger.error(`consuming ${durable} again failed: ${String(error)}; trying again`);
        return undefined;
      });
    }
  }

  /** nats.js' notifications (heartbeats missed, consumer not found, ...): what a stall looks like from here. */
  private async logStatus(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const status of await messages.status()) {
        if (ROUTINE.has(status.type)) continue;
        this.logger.warn(`${this.options.durable}: ${status.type} ${JSON.stringify(status.data)}`);
      }
    } catch {
      // the status iterator ends with the consume
    }
  }
}
