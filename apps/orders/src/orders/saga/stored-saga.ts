import { ORDER_SAGA } from './order-saga';
import type { ForwardStep, SagaState, SagaStep } from './saga-state';

/**
 * How sagas were stored before the transition table (KV `sagas` may still hold unfinished ones):
 * `status` running|completed|cancelled, the decided end in `outcome`, `step: 'done'` once over, the
 * forward steps that took effect in `done` and the compensations still to run, in order.
 */
interface FirstSagaShape extends Omit<SagaState, 'status' | 'step'> {
  status: 'running' | 'completed' | 'cancelled';
  step: SagaStep | 'done';
  outcome?: 'completed' | 'cancelled';
  done: ForwardStep[];
}

/** A saga as the bucket may hold it. */
export type StoredSaga = SagaState | FirstSagaShape;

/** A stored saga in today's shape, whichever shape it was written in. */
export function readStoredSaga(stored: StoredSaga): SagaState {
  return 'done' in stored ? fromFirstShape(stored) : stored;
}

function fromFirstShape(old: FirstSagaShape): SagaState {
  const { outcome, done, ...rest } = old;
  const step = old.step === 'done' ? 'notify' : old.step;
  const status = old.status === 'running' && outcome === 'cancelled' ? 'compensating' : old.status;
  // A cancelled order's list held the compensations still to run, front to back; today's is a stack
  // run from its end. Otherwise it is the undos of what was done.
  const compensations =
    outcome === 'cancelled'
      ? [...old.compensations].reverse()
      : done.flatMap((forward) => ORDER_SAGA[forward].undo ?? []);
  return { ...rest, step, status, compensations };
}
