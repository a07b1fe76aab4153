import { CommandClient, EventPublisher } from '@flowscope/messaging';
import { withTraceContext } from '@flowscope/telemetry';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ORDERS_CONFIG, type OrdersConfig } from '../../config';
import { actionOf, answerOf, applyPublished, applyReply, beginAttempt, nextState, type Answer } from './order-saga';
import { isOpen, type SagaState } from './saga-state';
import { SagaStore } from './saga-store';

const MAX_RESUME_DELAY_MS = 5000;
/**
 * A saga not stored this long is stored at its next step all the same: its held order.placed ack
 * is given well inside the ack wait (30 s, no second delivery while it runs), and slow services do
 * not fill the consumer's max_ack_pending with held acks.
 */
const MAX_HOLD_MS = 5000;

/**
 * Drives orchestrated orders through the ORDER_SAGA table: carries out the current step's action,
 * applies its result, and stores the state where a replay could not find its way back
 * (`nextState`): at start, after an uncertain result (with the next attempt begun in the same
 * write), and at the end; two writes for a saga whose steps all answer. A restarted orders service
 * resumes each unfinished saga from its stored state and replays what came after: commands are
 * idempotent, so a re-sent one returns its first outcome, and events keep their ids; a resumed saga
 * retries its forward steps until they answer (the run before may have gone past them).
 * The saga is the orchestrated order's state: its record in `orders` is written once, at placement
 * (GetOrder reads both).
 */
@Injectable()
export class SagaRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SagaRunner');
  private readonly driving = new Map<string, Promise<void>>();
  /** Sagas not stored yet: where they start from, and the held acks of their order.placed deliveries. */
  private readonly unstored = new Map<string, { saga: SagaState; acks: (() => void)[]; since: number }>();
  private stopping = false;

  constructor(
    @Inject(SagaStore) private readonly sagas: SagaStore,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.sagas.unfinished();
    if (unfinished.length) this.logger.log(`resuming ${unfinished.length} unfinished saga(s)`);
    for (const orderId of unfinished) this.drive(orderId);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  /** Resolves once no saga is being driven (a retry that drives one again included). */
  async idle(): Promise<void> {
    while (this.driving.size > 0) await Promise.all(this.driving.values());
  }

  /**
   * A saga nothing of which is stored yet: driven from `saga` (its first attempt begun in memory),
   * and `ack` (its order.placed delivery's) given once it is first stored. `resumed`: it may have
   * run before (a redelivered order.placed), so it replays as a resumed one.
   */
  start(saga: SagaState, ack: (() => void) | undefined, resumed: boolean): void {
    const entry = this.unstored.get(saga.orderId) ?? { saga, acks: [], since: performance.now() };
    if (ack) entry.acks.push(ack);
    this.unstored.set(saga.orderId, entry);
    this.drive(saga.orderId, saga, true, resumed);
  }

  /**
   * Runs the saga from `known` (`begun`: its current attempt is begun already), or from the bucket
   * (a saga resumed at start or after a failure). A failure (NATS unreachable for a while, say) is
   * retried with backoff from the stored state, or where a saga not stored yet started: waiting for
   * the next start would leave the order open until someone restarts us. `resumed` (default: read
   * from the bucket) replays as a resumed saga (see applyReply).
   */
  drive(orderId: string, known?: SagaState, begun = false, resumed = known === undefined, attempt = 1): void {
    if (this.driving.has(orderId) || this.stopping) return;
    const run = this.run(orderId, known, begun, resumed).then(
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
      if (again) this.drive(orderId, undefined, false, true, attempt + 1);
    });
    this.driving.set(orderId, done);
  }

  private async run(orderId: string, known: SagaState | undefined, begun: boolean, resumed: boolean): Promise<void> {
    // Not re-read when known: on a cluster a KV read may be served by a replica that has not got the
    // write yet (a restarted node catching up), and the new saga would silently never run.
    let saga = known ?? (await this.sagas.get(orderId)) ?? this.unstored.get(orderId)?.saga;
    if (!saga) return;
    await withTraceContext(saga.trace, async () => {
      while (saga && isOpen(saga) && !this.stopping) {
        saga = await this.step(saga, begun, resumed);
        begun = true; // every step begins the next command's attempt (stored or in memory)
      }
      // Stopping: what is only in memory is stored, so that the next start resumes it at once.
      if (saga && isOpen(saga) && this.unstored.has(orderId)) await this.store(saga);
    });
  }

  /**
   * One transition, and its write where one is needed (see nextState). `begun`: the current
   * command's attempt is begun already (stored, or in memory after a definite result); a resumed
   * saga has not (its stored attempt may have gone out), so it stores another before sending.
   */
  private async step(saga: SagaState, begun: boolean, resumed: boolean): Promise<SagaState> {
    const action = actionOf(saga);
    if (action.kind === 'event') {
      await this.events.publish(action.type, action.data);
      return this.keepForNext(applyPublished(saga, new Date()), 'definite');
    }
    const attempt = begun ? saga : await this.store(beginAttempt(saga, new Date()));
    if (attempt.attempt > 1) {
      await delay(Math.min(this.config.SAGA_RETRY_BACKOFF_MS * 2 ** (attempt.attempt - 2), MAX_RESUME_DELAY_MS));
    }
    const reply = await this.commands.send(action.subject, action.data, {
      timeoutMs: this.config.SAGA_STEP_TIMEOUT_MS,
      compensating: action.compensating,
    });
    const limits = { maxAttempts: this.config.SAGA_MAX_ATTEMPTS, resumed };
    return this.keepForNext(applyReply(attempt, reply, limits, new Date()), answerOf(reply));
  }

  /** The state the next step starts from, stored first where nextState says so. */
  private async keepForNext(saga: SagaState, answer: Answer): Promise<SagaState> {
    const next = nextState(saga, answer, new Date());
    const held = this.unstored.get(saga.orderId);
    const heldTooLong = held !== undefined && performance.now() - held.since > MAX_HOLD_MS;
    return next.store || heldTooLong ? this.store(next.saga) : next.saga;
  }

  /** Stores the saga; the first write of one started here gives its held order.placed acks. */
  private async store(saga: SagaState): Promise<SagaState> {
    await this.sagas.save(saga);
    const entry = this.unstored.get(saga.orderId);
    if (entry) {
      this.unstored.delete(saga.orderId);
      for (const ack of entry.acks) ack();
    }
    return saga;
  }
}
