import { ContractError, EVENTS_STREAM, parseEvent, type EventEnvelope, DeliveryCode } from '@flowscope/contracts';
import { withConsumerSpan } from '@flowscope/telemetry';
import { CustomTransportStrategy, Server, type MessageHandler } from '@nestjs/microservices';
import { AckPolicy, DeliverPolicy, type JsMsg } from 'nats';
import { lastValueFrom } from 'rxjs';
import { CommandResponder } from './command-responder';
import { ConsumerLagPoller } from './consumer-lag';
import { DeadLetters } from './dead-letters';
import { DurableConsumption } from './durable-consumption';
import { JetStreamContext } from './jetstream-context';
import { messagingMetrics } from './metrics';
import type { NatsClient } from './nats-client';
import { defaultRedeliveryPolicy, type RedeliveryPolicy } from './redelivery';
import { ensureDurable } from './streams';

/** `@EventPattern(subject, extras)`: by default handlers see choreographed flows only. */
export interface EventHandlerExtras {
  allStyles?: boolean;
}

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
 * A Nest transport strategy: every `@EventPattern('<subject>')` handler becomes a durable JetStream
 * consumer `<service>-<subject>` on EVENTS. Explicit ack; a handler that throws is retried with
 * backoff up to `maxDeliver`; an invalid payload is terminated at once and copied to `dlq.<service>`.
 * Delivery is at-least-once and nothing is remembered per delivery: handlers are idempotent by what
 * they already keep (first-outcome records, deterministic event ids that JetStream's duplicate
 * window drops), and guard themselves where a side effect would repeat (the notification).
 * Events of orchestrated orders reach only handlers registered with `{ allStyles: true }`.
 * `@MessagePattern('cmd.<…>')` handlers answer commands over core NATS (see CommandResponder).
 */
export class JetStreamEventServer extends Server implements CustomTransportStrategy {
  private readonly consumptions: DurableConsumption[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The last turn per orderId + type: copies of one event are handled one after the other. */
  private readonly turns = new Map<string, Promise<void>>();
  private readonly redelivery: RedeliveryPolicy;
  private readonly concurrency: number;
  private readonly commands: CommandResponder;
  private lag?: ConsumerLagPoller;

  constructor(
    private readonly nats: NatsClient,
    private readonly deadLetters: DeadLetters,
    private readonly options: JetStreamEventServerOptions,
  ) {
    super();
    this.redelivery = options.redelivery ?? defaultRedeliveryPolicy;
    this.concurrency = options.concurrency ?? 16;
    this.commands = new CommandResponder(nats, options.service, async (handler, data, ctx) =>
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
      const durable = durableName(this.options.service, subject);
      await this.ensureConsumer(durable, subject);
      const consumption = await DurableConsumption.start({
        js: this.nats.js,
        nc: this.nats.nc,
        service: this.options.service,
        stream: EVENTS_STREAM,
        durable,
        maxMessages: this.concurrency * 4,
        onMessage: (msg) => this.take(msg, subject, durable, handler),
      });
      this.consumptions.push(consumption);
      durables.push(durable);
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
  private async take(msg: JsMsg, subject: string, durable: string, handler: MessageHandler): Promise<void> {
    if (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    const task = this.handle(msg, subject, durable, handler).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async handle(msg: JsMsg, subject: string, durable: string, handler: MessageHandler): Promise<void> {
    const labels = { service: this.options.service, subject };
    const stopTimer = messagingMetrics.handling.startTimer(labels);
    const outcome = await this.process(msg, durable, handler).catch((error: unknown) => {
      this.logger.error(`unexpected failure handling ${msg.subject} #${msg.seq}: ${String(error)}`);
      msg.nak(this.redelivery.backoffMs(msg.info.deliveryCount));
      return 'retry' as const;
    });
    stopTimer();
    messagingMetrics.consumed.inc({ ...labels, outcome });
  }

  private async process(msg: JsMsg, durable: string, handler: MessageHandler): Promise<string> {
    let event: EventEnvelope;
    try {
      event = parseEvent({
        subject: msg.subject,
        body: msg.data,
        msgId: msg.headers?.get('Nats-Msg-Id') || undefined,
        streamSequence: msg.info.streamSequence,
        receivedAt: new Date(),
      });
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      return this.refuse(msg, { code: error.code, message: error.message, issues: error.issues });
    }
    if (event.data.style === 'orchestration' && !(handler.extras as EventHandlerExtras | undefined)?.allStyles) {
      msg.ack(); // the orchestrator drives these orders with commands; reacting would drive them twice
      return 'ignored';
    }
    const turnKey = `${event.subject}.${event.type}`;
    // Copies of one event (a re-publish under a new id) can be in flight at once: in one process they
    // take turns, so the second finds the first one's outcome (no CAS retry loop against ourselves).
    return this.inTurn(turnKey, () => this.handleOnce(msg, event, durable, handler));
  }

  private async handleOnce(
    msg: JsMsg,
    event: EventEnvelope,
    durable: string,
    handler: MessageHandler,
  ): Promise<string> {
    const attrs = {
      messageId: event.id,
      orderId: event.subject,
      style: event.data.style ?? 'choreography',
      consumerGroup: durable,
    };
    try {
      await withConsumerSpan(
        msg.subject,
        msg.headers,
        attrs,
        async () => {
          const ctx = new JetStreamContext([msg.subject, msg.headers, msg.info]);
          await lastValueFrom(this.transformToObservable(await handler(event, ctx)), { defaultValue: undefined });
        },
        { traceSeed: event.correlationid },
      );
    } catch (error) {
      return this.retryOrRefuse(msg, error);
    }
    msg.ack();
    return 'ack';
  }

  /** Runs fn once every earlier fn of the same key has settled (within this process). */
  private async inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const mine = (this.turns.get(key) ?? Promise.resolve()).then(fn);
    const done = mine.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(key, done);
    try {
      return await mine;
    } finally {
      if (this.turns.get(key) === done) this.turns.delete(key);
    }
  }

  private async retryOrRefuse(msg: JsMsg, error: unknown): Promise<string> {
    const text = error instanceof Error ? error.message : JSON.stringify(error);
    const code = (error as { code?: unknown })?.code;
    if (msg.info.deliveryCount >= this.redelivery.maxDeliver) {
      const message = `handler failed ${msg.info.deliveryCount} times, last: ${text}`;
      return this.refuse(msg, { code: DeliveryCode.MAX_DELIVERIES, message });
    }
    this.logger.warn(
      `${msg.subject} #${msg.seq} failed (delivery ${msg.info.deliveryCount}, ${typeof code === 'string' ? code : 'error'}): ${text}; retrying`,
    );
    msg.nak(this.redelivery.backoffMs(msg.info.deliveryCount));
    return 'retry';
  }

  private async refuse(
    msg: JsMsg,
    reason: { code: string; message: string; issues?: ContractError['issues'] },
  ): Promise<string> {
    this.logger.warn(`${msg.subject} #${msg.seq} dead-lettered: ${reason.code}: ${reason.message}`);
    await this.deadLetters.send(
      {
        subject: msg.subject,
        data: msg.data,
        headers: msg.headers,
        streamSequence: msg.info.streamSequence,
        deliveryCount: msg.info.deliveryCount,
      },
      reason,
    );
    msg.term(reason.code);
    return 'dead_letter';
  }
}

/** Durable names cannot hold `.`, `*` or `>`. */
export function durableName(service: string, subject: string): string {
  return `${service}-${subject.replace(/[.*>]/g, '_')}`;
}
