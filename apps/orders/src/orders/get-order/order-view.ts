import type { OrderRecord } from '../order-record';
import type { SagaState } from '../saga/saga-state';

/**
 * An orchestrated order as `GET /orders/:id` shows it: its record (written once, at placement) with
 * how its saga ended it. The saga alone is written as it goes, so the record is not written again:
 * the order is completed or cancelled once the saga's `finish` step published the final event, and
 * the customer notified once its `notify` command was answered ok.
 */
export function orchestratedOrderView(record: OrderRecord, saga: SagaState): OrderRecord {
  const finished = saga.history.find((t) => t.step === 'finish');
  const notified = saga.history.find((t) => t.step === 'notify' && t.result === 'ok');
  if (!finished) return record;
  const ended =
    finished.result === 'completed'
      ? { status: 'completed' as const, completedAt: finished.at }
      : { status: 'cancelled' as const, reason: saga.reason ?? 'cancelled', cancelledAt: finished.at };
  return {
    ...record,
    ...ended,
    ...(notified ? { notifiedAt: notified.at } : {}),
    updatedAt: notified?.at ?? finished.at,
  };
}
