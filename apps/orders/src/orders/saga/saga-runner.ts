import { ORDER_CANCELLED, ORDER_COMPLETED, type EventEnvelope, type OrderPlaced } from '@flowscope/contracts';
import { CommandClient, EventPublisher, JsonKv, NatsClient } from '@flowscope/messaging';
import { captureTraceContext, withTraceContext } from '@flowscope/telemetry';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ORDERS_CONFIG, type OrdersConfig } from '../../config';
import { OrderStore } from '../order-store';
import { applyReply, beginAttempt, commandFor, finished, startSaga, type SagaState } from './order-saga';

const MAX_RESUME_DELAY_MS = 5000;

/**
 * Drives orchestrated orders through the OrderSaga state machine. Saga state lives in the KV bucket
 * `sagas` and is written before every command goes out, so a restarted orders service resumes each
 * unfinished saga where it was; commands are idempotent, so a re-sent one returns its first outcome.
 */
@Injectable()
export class SagaRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SagaRunner');
  private readonly driving = new Map<string, Promise<void>>();
  private stopping = false;
  private kv!: JsonKv<SagaState>;

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.kv = await JsonKv.open(this.nats.js, 'sagas');
    const unfinished = await this.unfinishedSagas();
    if (unfinished.length) this.logger.log(`resuming ${unfinished.length} unfinished saga(s)`);
    for (const orderId of unfinished) this.drive(orderId);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.driving.values());
  }

  /** Starts the saga of an orchestrated order once (a redelivered order.placed finds it started). */
  async begin(event: EventEnvelope<'order.placed'>): Promise<void> {
    const order: OrderPlaced = event.data;
    const { customerId, items, total, currency, destination } = order;
    const saga = startSaga(
      order.orderId,
      { customerId, items, total, currency, destination },
      new Date(),
      captureTraceContext(),
    );
    this.drive(order.orderId, await this.kv.putIfAbsent(order.orderId, saga));
  }

  /**
   * Runs the saga from `known` (the state just stored), or from the bucket (a saga resumed at start
   * or after a failure). A failure (NATS unreachable for a while, say) is retried with backoff from
   * the stored state: waiting for the next start would leave the order open until someone restarts us.
   */
  private drive(orderId: string, known?: SagaState, attempt = 1): void {
    if (this.driving.has(orderId) || this.stopping) return;
    const run = this.run(orderId, known).then(
      () => false,
      async (error: unknown) => {
        const wait = Math.min(this.config.SAGA_RETRY_BACKOFF_MS * 2 ** (attempt - 1), MAX_RESUME_DELAY_MS);
        this.logger.warn(
          `saga ${orderId} interrupted: ${String(error)}; it goes on from its stored state in ${wait} ms`,
        );
        await delay(wait);
        return true;
      },
    );
    const done = run.then((again) => {
      this.driving.delete(orderId);
      if (again) this.drive(orderId, undefined, attempt + 1);
    });
    this.driving.set(orderId, done);
  }

  private async run(orderId: string, known?: SagaState): Promise<void> {
    // Not re-read when known: on a cluster a KV read may be served by a replica that has not got the
    // write yet (a restarted node catching up), and the new saga would silently never run.
    let saga = known ?? (await this.kv.get(orderId))?.value;
    if (!saga) return;
    await withTraceContext(saga.trace, async () => {
      while (saga && saga.status === 'running' && !this.stopping) saga = await this.step(saga);
    });
  }

  /** One transition, persisted: the state is durable before any command it implies is sent. */
  private async step(saga: SagaState): Promise<SagaState> {
    if (saga.step === 'finish') {
      await this.finish(saga);
      return this.save(finished(saga, new Date()));
    }
    const command = commandFor(saga);
    if (!command) return this.save({ ...saga, status: saga.outcome ?? 'cancelled' });
    const attempt = await this.save(beginAttempt(saga, new Date()));
    if (attempt.attempt > 1) await delay(this.config.SAGA_RETRY_BACKOFF_MS * 2 ** (attempt.attempt - 2));
    const reply = await this.commands.send(command.subject, command.data, {
      timeoutMs: this.config.SAGA_STEP_TIMEOUT_MS,
      compensating: command.compensating,
    });
    return this.save(applyReply(attempt, reply, { maxAttempts: this.config.SAGA_MAX_ATTEMPTS }, new Date()));
  }

  /** Closes the order: its final event is published by the orchestrator itself. */
  private async finish(saga: SagaState): Promise<void> {
    const data = {
      orderId: saga.orderId,
      style: 'orchestration' as const,
      ...(saga.outcome === 'completed' ? {} : { reason: saga.reason }),
    };
    const type = saga.outcome === 'completed' ? ORDER_COMPLETED : ORDER_CANCELLED;
    const published = await this.events.publish(type, data);
    await this.orders.apply(published);
  }

  private async save(saga: SagaState): Promise<SagaState> {
    await this.kv.put(saga.orderId, saga);
    return saga;
  }

  private async unfinishedSagas(): Promise<string[]> {
    const out: string[] = [];
    for (const orderId of await this.kv.keys()) {
      if ((await this.kv.get(orderId))?.value.status === 'running') out.push(orderId);
    }
    return out;
  }
}
