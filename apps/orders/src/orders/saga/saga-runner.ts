import { CommandClient, EventPublisher } from '@flowscope/messaging';
import { withTraceContext } from '@flowscope/telemetry';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ORDERS_CONFIG, type OrdersConfig } from '../../config';
import { OrderStore } from '../order-store';
import { actionOf, applyPublished, applyReply, beginAttempt } from './order-saga';
import { isOpen, type SagaState } from './saga-state';
import { SagaStore } from './saga-store';

const MAX_RESUME_DELAY_MS = 5000;

/**
 * Drives orchestrated orders through the ORDER_SAGA table: saves the state, carries out the current
 * step's action, applies its result. The state is written before every command goes out, so a
 * restarted orders service resumes each unfinished saga where it was; commands are idempotent, so a
 * re-sent one returns its first outcome.
 */
@Injectable()
export class SagaRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SagaRunner');
  private readonly driving = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    @Inject(SagaStore) private readonly sagas: SagaStore,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.sagas.unfinished();
    if (unfinished.length) this.logger.log(`resuming ${unfinished.length} unfinished saga(s)`);
    for (const orderId of unfinished) this.drive(orderId);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.driving.values());
  }

  /**
   * Runs the saga from `known` (the state just stored), or from the bucket (a saga resumed at start
   * or after a failure). A failure (NATS unreachable for a while, say) is retried with backoff from
   * the stored state: waiting for the next start would leave the order open until someone restarts us.
   */
  drive(orderId: string, known?: SagaState, attempt = 1): void {
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
    let saga = known ?? (await this.sagas.get(orderId));
    if (!saga) return;
    await withTraceContext(saga.trace, async () => {
      while (saga && isOpen(saga) && !this.stopping) saga = await this.step(saga);
    });
  }

  /** One transition, persisted: the state is durable before any command it implies is sent. */
  private async step(saga: SagaState): Promise<SagaState> {
    const action = actionOf(saga);
    if (action.kind === 'event') {
      const published = await this.events.publish(action.type, action.data);
      await this.orders.apply(published);
      return this.sagas.save(applyPublished(saga, new Date()));
    }
    const attempt = await this.sagas.save(beginAttempt(saga, new Date()));
    if (attempt.attempt > 1) await delay(this.config.SAGA_RETRY_BACKOFF_MS * 2 ** (attempt.attempt - 2));
    const reply = await this.commands.send(action.subject, action.data, {
      timeoutMs: this.config.SAGA_STEP_TIMEOUT_MS,
      compensating: action.compensating,
    });
    const limits = { maxAttempts: this.config.SAGA_MAX_ATTEMPTS };
    return this.sagas.save(applyReply(attempt, reply, limits, new Date()));
  }
}
