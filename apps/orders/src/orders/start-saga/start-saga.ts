import type { EventEnvelope } from '@flowscope/contracts';
import { captureTraceContext } from '@flowscope/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import { beginAttempt } from '../saga/order-saga';
import { SagaRunner } from '../saga/saga-runner';
import { startSaga } from '../saga/saga-state';
import { SagaStore } from '../saga/saga-store';

/**
 * Starts the saga of an orchestrated order once: a redelivered order.placed finds it started. Stored
 * with its first command's attempt begun (one write), which the runner then sends.
 */
@Injectable()
export class StartSaga {
  constructor(
    @Inject(SagaStore) private readonly sagas: SagaStore,
    @Inject(SagaRunner) private readonly runner: SagaRunner,
  ) {}

  async execute(placed: EventEnvelope<'order.placed'>): Promise<void> {
    const { orderId, customerId, items, total, currency, destination } = placed.data;
    const now = new Date();
    const saga = startSaga(orderId, { customerId, items, total, currency, destination }, now, captureTraceContext());
    const stored = await this.sagas.putIfAbsent(beginAttempt(saga, now));
    this.runner.drive(orderId, stored.saga, stored.created);
  }
}
