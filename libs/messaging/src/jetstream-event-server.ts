import { EVENTS_STREAM } from '@flowscope/contracts';
import { CustomTransportStrategy, Server, type MessageHandler } from '@nestjs/microservices';
import { AckPolicy, DeliverPolicy, type JsMsg } from 'nats';
import { lastValueFrom } from 'rxjs';
import { CommandResponder } from './command-responder';
import { ConsumerLagPoller } from './consumer-lag';
import type { DeadLetters } from './dead-letters';
import { DeliveryPipeline, type DeliveryTarget } from './delivery/delivery-pipeline';
import type { HandlerCall } from './delivery/invoke-handler';
import type { EventHandlerExtras } from './delivery/style-filter';
import { DurableConsumption } from './durable-consumption';
import type { NatsClient } from './nats-client';
import { defaultRedeliveryPolicy, type RedeliveryPolicy } from './redelivery';
import { ensureDurable } from './streams';

export type { EventHandlerExtras } from './delivery/style-filter';

export interface JetStreamEventServerOptions {
  service: string;
  redelivery?: RedeliveryPolicy;
  /** Messages handled at once per consumer. */
  concurrency?: number;
  ackWaitMs?: number;
  /** How often the consumers' lag is read into the consumer lag gauges (default 5 s). */
  lagPollMs?: number;
}

/**
 * A Nest transport strategy, and only the Nest side of it: every `@EventPattern('<subject>')` handler
 * becomes a durable JetStream consumer `<service>-<subject>` on EVENTS whose deliveries go through
 * the DeliveryPipeline (parse → filter → dedupe → invoke in a consumer span → settle). Explicit ack;
 * a handler that throws is retried with backoff up to `maxDeliver`; an invalid payload is terminated
 * at once and copied to `dlq.<service>`. Delivery is at-least-once and nothing is stored per
 * delivery: handlers are idempotent by their own first-outcome records and deterministic event ids.
 * Events of orchestrated orders reach only handlers registered with `{ allStyles: true }`.
 * `@MessagePattern('cmd.<…>')` handlers answer commands over core NATS (see CommandResponder).
 */
export class JetStreamEventServer extends Server implements CustomTransportStrategy {
  private readonly consumptions: DurableConsumption[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly redelivery: RedeliveryPolicy;
  private readonly concurrency: number;
  private readonly pipeline: DeliveryPipeline;
  private readonly commands: CommandResponder;
  private lag?: ConsumerLagPoller;

  constructor(
    private readonly nats: NatsClient,
    deadLetters: DeadLetters,
    private readonly options: JetStreamEventServerOptions,
  ) {
    super();
    this.redelivery = options.redelivery ?? defaultRedeliveryPolicy;
    this.concurrency = options.concurrency ?? 16;
    const { service } = options;
    this.pipeline = new DeliveryPipeline({ service, deadLetters, redelivery: this.redelivery, logger: this.logger });
    this.commands = new CommandResponder(nats, service, async (handler, data, ctx) =>
      lastValueFrom(this.transformToObservable(await handler(data, ctx)), { defaultValue: undefined }),
    );
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  async close(): Promise<void> {
    await this.lag?.stop();
    await this.commands.close();
    await Promise.all(this.consumptions.map((consumption) => consumption.close()));
    await Promise.all(this.inFlight);
  }

  on(): never {
    throw new Error('JetStreamEventServer does not emit events');
  }

  unwrap<T>(): T {
    return this.nats.nc as T;
  }

  private async start(): Promise<void> {
    const durables: string[] = [];
    for (const [subject, handler] of this.messageHandlers) {
      if (!handler.isEventHandler) {
        this.commands.subscribe(subject, handler);
        continue;
      }
      const target = this.targetOf(subject, handler);
      await this.ensureConsumer(target.durable, subject);
      const consumption = await DurableConsumption.start({
        js: this.nats.js,
        nc: this.nats.nc,
        service: this.options.service,
        stream: EVENTS_STREAM,
        durable: target.durable,
        maxMessages: this.concurrency * 4,
        onMessage: (msg) => this.take(msg, target),
      });
      this.consumptions.push(consumption);
      durables.push(target.durable);
    }
    const { service, lagPollMs } = this.options;
    this.lag = new ConsumerLagPoller({
      jsm: this.nats.jsm,
      service,
      stream: EVENTS_STREAM,
      consumers: durables,
      intervalMs: lagPollMs,
    });
    this.lag.start();
  }

  /** The Nest handler as a pipeline target: its result (a value, a promise or an observable) awaited. */
  private targetOf(subject: string, handler: MessageHandler): DeliveryTarget {
    const call: HandlerCall = async (event, ctx) => {
      await lastValueFrom(this.transformToObservable(await handler(event, ctx)), { defaultValue: undefined });
    };
    const extras = handler.extras as EventHandlerExtras | undefined;
    return { subject, durable: durableName(this.options.service, subject), extras, call };
  }

  private async ensureConsumer(durable: string, subject: string): Promise<void> {
    await ensureDurable(this.nats.jsm, {
      durable_name: durable,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: this.redelivery.maxDeliver + 1, // one more: we terminate ourselves, with a dead letter
      ack_wait: (this.options.ackWaitMs ?? 30_000) * 1e6,
      max_ack_pending: 1000,
    });
  }

  /** Starts handling a message once fewer than `concurrency` are in flight (the consumption waits). */
  private async take(msg: JsMsg, target: DeliveryTarget): Promise<void> {
    if (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    const task = this.pipeline.handle(msg, target).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }
}

/** Durable names cannot hold `.`, `*` or `>`. */
export function durableName(service: string, subject: string): string {
  return `${service}-${subject.replace(/[.*>]/g, '_')}`;
}
