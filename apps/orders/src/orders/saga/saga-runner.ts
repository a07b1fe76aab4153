import { ORDER_CANCELLED, ORDER_COMPLETED, type EventEnvelope, type OrderPlaced } from '@flowscope/contracts';
import { CommandClient, EventPublisher, JsonKv, NatsClient } from '@flowscope/messaging';
import { captureTraceContext, withTraceContext } from '@flowscope/telemetry';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ORDERS_CONFIG, type OrdersConfig } from '../../config';
import { OrderStore } from '../order-store';
import { applyReply, beginAttempt, commandFor, finished, startSaga, type SagaState } from './order-saga';

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
    const saga = startSaga(order.orderId, { customerId, items, total, currency, destination }, new Date(), captureTraceContext());
    await this.kv.putIfAbsent(order.orderId, saga);
    this.drive(order.orderId);
  }

  private drive(orderId: string): void {
    if (this.driving.has(orderId) || this.stopping) return;
    const run = this.run(orderId)
      .catch((error: unknown) => this.logger.error(`saga ${orderId} stopped: ${String(error)}; it resumes at the next start`))
      .finally(() => this.driving.delete(orderId));
    this.driving.set(orderId, run);
  }

  private async run(orderId: string): Promise<void> {
    let saga = (await this.kv.get(orderId))?.value;
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
    const reply = await this.commands.send(command.subject, command.data, { timeoutMs: this.config.SAGA_STEP_TIMEOUT_MS, compensating: command.compensating });
    return this.save(applyReply(attempt, reply, { maxAttempts: this.config.SAGA_MAX_ATTEMPTS }, new Date()));
  }

  /** Closes the order: its final event is published by the orchestrator itself. */
  private async finish(saga: SagaState): Promise<void> {
    const data = { orderId: saga.orderId, style: 'orchestration' as const, ...(saga.outcome === 'completed' ? {} : { reason: saga.reason }) };
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
