import type { EventEnvelope } from '@flowscope/contracts';
import { captureTraceContext } from '@flowscope/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import { SagaRunner } from '../saga/saga-runner';
import { startSaga } from '../saga/saga-state';
import { SagaStore } from '../saga/saga-store';

/** Starts the saga of an orchestrated order once: a redelivered order.placed finds it started. */
@Injectable()
export class StartSaga {
  constructor(
    @Inject(SagaStore) private readonly sagas: SagaStore,
    @Inject(SagaRunner) private readonly runner: SagaRunner,
  ) {}

  async execute(placed: EventEnvelope<'order.placed'>): Promise<void> {
    const { orderId, customerId, items, total, currency, destination } = placed.data;
    const saga = startSaga(
      orderId,
      { customerId, items, total, currency, destination },
      new Date(),
      captureTraceContext(),
    );
    this.runner.drive(orderId, await this.sagas.putIfAbsent(saga));
  }
}
