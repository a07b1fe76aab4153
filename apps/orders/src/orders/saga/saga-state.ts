import type { OrderItem } from '@flowscope/contracts';

/** Steps that move the order forward; each may leave something to undo. */
export type ForwardStep = 'payment' | 'stock' | 'shipment';
/** Steps that undo a forward step. */
export type CompensationStep = 'refund' | 'release';
export type SagaStep = ForwardStep | CompensationStep | 'finish' | 'notify';

/**
 * The one field that says where the saga is and how it ended: `running` forward, `compensating` after
 * a step failed, then `completed` or `cancelled` once it is over (notification included).
 */
export type SagaStatus = 'running' | 'compensating' | 'completed' | 'cancelled';

/** One transition, as recorded in the saga's history. */
export interface SagaTransition {
  step: SagaStep;
  attempt: number;
  /** `ok`, the refusal's code, or for `finish` how the order ended. */
  result: string;
  at: string;
}

/** The order as the saga needs it (from `order.placed`). */
export interface SagaOrder {
  customerId: string;
  items: OrderItem[];
  total: number;
  currency: string;
  destination?: string;
}

export interface SagaState {
  orderId: string;
  order: SagaOrder;
  status: SagaStatus;
  step: SagaStep;
  /** Attempts of the current step so far (persisted before each command is sent). */
  attempt: number;
  /** Why the order is cancelled, once a step failed. */
  reason?: string;
  /** The undo of every step that took effect, oldest first: compensating runs them latest first. */
  compensations: CompensationStep[];
  history: SagaTransition[];
  /** Trace context of the flow, so a resumed saga stays in the order's trace. */
  trace?: Record<string, string>;
  startedAt: string;
  updatedAt: string;
}

export interface SagaLimits {
  maxAttempts: number;
  /**
   * The saga was read back from its stored state: its forward steps are retried until they answer,
   * never given up (the run before may have gone past them without storing it, see nextState).
   */
  resumed?: boolean;
}

export function startSaga(orderId: string, order: SagaOrder, now: Date, trace?: Record<string, string>): SagaState {
  const at = now.toISOString();
  return {
    orderId,
    order,
    status: 'running',
    step: 'payment',
    attempt: 0,
    compensations: [],
    history: [],
    trace,
    startedAt: at,
    updatedAt: at,
  };
}

/** Whether the saga still has work to do (the runner drives it until it has none). */
export function isOpen(saga: SagaState): boolean {
  return saga.status === 'running' || saga.status === 'compensating';
}

/** How the order ends (or will end): a saga that compensates cancels it. */
export function outcomeOf(saga: SagaState): 'completed' | 'cancelled' {
  return saga.status === 'running' || saga.status === 'completed' ? 'completed' : 'cancelled';
}
