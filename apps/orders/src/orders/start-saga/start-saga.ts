import type { EventEnvelope } from '@flowscope/contracts';
import { captureTraceContext } from '@flowscope/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import { beginAttempt } from '../saga/order-saga';
import { SagaRunner } from '../saga/saga-runner';
import { startSaga } from '../saga/saga-state';
import { SagaStore } from '../saga/saga-store';

/**
 * Starts the saga of an orchestrated order once, with nothing stored: its first write is the
 * runner's (after an uncertain answer, or at the end), and until then the `order.placed` delivery
 * stays unacknowledged (`holdAck`), so that after a crash JetStream delivers it again, to this
 * replica or another, and the saga starts again from the beginning and replays (see nextState). A
 * redelivered order.placed (our record exists) finds its saga stored, or not: then it is stored
 * as it starts, and replays as a resumed saga.
 */
@Injectable()
export class StartSaga {
  constructor(
    @Inject(SagaStore) private readonly sagas: SagaStore,
    @Inject(SagaRunner) private readonly runner: SagaRunner,
  ) {}

  async execute(
    placed: EventEnvelope<'order.placed'>,
    { created, holdAck }: { created: boolean; holdAck?: () => () => void },
  ): Promise<void> {
    const { orderId, customerId, items, total, currency, destination } = placed.data;
    const now = new Date();
    const saga = beginAttempt(
      startSaga(orderId, { customerId, items, total, currency, destination }, now, captureTraceContext()),
      now,
    );
    if (created) return this.runner.start(saga, holdAck?.(), false);
    // Placed before: stored (it goes on from there), or never stored (it may have run some way, and
    // starts again as a resumed saga, stored first: the ack is given, and a crash now does not
    // depend on yet another delivery, which JetStream gives a bounded number of times).
    const stored = (await this.sagas.get(orderId)) ?? (await this.sagas.save(saga));
    this.runner.drive(orderId, stored, stored === saga, true);
  }
}
