// The orchestrated order flow as one explicit state machine, readable top to bottom:
//
//   payment → stock → shipment → finish(completed) → notify → done
//   a step fails: compensate what is done, latest first (release, then refund) → finish(cancelled) → notify → done
//
// Pure functions of the saga state and a command's reply; the SagaRunner does the I/O.
import {
  CMD_CUSTOMER_NOTIFY,
  CMD_PAYMENT_AUTHORIZE,
  CMD_PAYMENT_REFUND,
  CMD_SHIPMENT_SCHEDULE,
  CMD_STOCK_RELEASE,
  CMD_STOCK_RESERVE,
  type CommandData,
  type CommandReply,
  type CommandSubject,
  type OrderItem,
} from '@flowscope/contracts';

export type ForwardStep = 'payment' | 'stock' | 'shipment';
export type CompensationStep = 'refund' | 'release';
export type SagaStep = ForwardStep | CompensationStep | 'finish' | 'notify' | 'done';

/** One transition, as recorded in the saga's history. */
export interface SagaTransition {
  step: SagaStep;
  attempt: number;
  result: string;
  at: string;
}

export interface SagaState {
  orderId: string;
  order: { customerId: string; items: OrderItem[]; total: number; currency: string; destination?: string };
  status: 'running' | 'completed' | 'cancelled';
  step: SagaStep;
  /** Attempts of the current step so far (persisted before each command is sent). */
  attempt: number;
  /** How the order ends, once decided. */
  outcome?: 'completed' | 'cancelled';
  reason?: string;
  /** Forward steps that took effect, oldest first: what a failure must compensate. */
  done: ForwardStep[];
  /** Compensations still to run, in order. */
  compensations: CompensationStep[];
  history: SagaTransition[];
  /** Trace context of the flow, so a resumed saga stays in the order's trace. */
  trace?: Record<string, string>;
  startedAt: string;
  updatedAt: string;
}

export interface SagaLimits {
  maxAttempts: number;
}

const NEXT: Record<ForwardStep, SagaStep> = { payment: 'stock', stock: 'shipment', shipment: 'finish' };
/** Reasons read as in choreography, so both styles end an order the same way. */
const FAILURE: Record<ForwardStep, string> = {
  payment: 'payment declined',
  stock: 'stock unavailable',
  shipment: 'shipment failed',
};
const COMPENSATION: Record<ForwardStep, CompensationStep | undefined> = {
  payment: 'refund',
  stock: 'release',
  shipment: undefined,
};

export function startSaga(
  orderId: string,
  order: SagaState['order'],
  now: Date,
  trace?: Record<string, string>,
): SagaState {
  const at = now.toISOString();
  return {
    orderId,
    order,
    status: 'running',
    step: 'payment',
    attempt: 0,
    done: [],
    compensations: [],
    history: [],
    trace,
    startedAt: at,
    updatedAt: at,
  };
}

/** The command the current step sends, or undefined for a step the runner does itself (finish, done). */
export function commandFor(
  saga: SagaState,
): { subject: CommandSubject; data: CommandData<CommandSubject>; compensating: boolean } | undefined {
  const { orderId, order } = saga;
  const style = 'orchestration' as const;
  switch (saga.step) {
    case 'payment':
      return {
        subject: CMD_PAYMENT_AUTHORIZE,
        data: { orderId, style, customerId: order.customerId, amount: order.total, currency: order.currency },
        compensating: false,
      };
    case 'stock':
      return { subject: CMD_STOCK_RESERVE, data: { orderId, style, items: order.items }, compensating: false };
    case 'shipment':
      return {
        subject: CMD_SHIPMENT_SCHEDULE,
        data: { orderId, style, destination: order.destination },
        compensating: false,
      };
    case 'refund':
      return { subject: CMD_PAYMENT_REFUND, data: { orderId, style, reason: saga.reason }, compensating: true };
    case 'release':
      return { subject: CMD_STOCK_RELEASE, data: { orderId, style, reason: saga.reason }, compensating: true };
    case 'notify':
      return {
        subject: CMD_CUSTOMER_NOTIFY,
        data: { orderId, style, template: `order-${saga.outcome ?? 'cancelled'}` },
        compensating: false,
      };
    default:
      return undefined;
  }
}

/** Marks a new attempt of the current step: saved before its command goes out. */
export function beginAttempt(saga: SagaState, now: Date): SagaState {
  return { ...saga, attempt: saga.attempt + 1, updatedAt: now.toISOString() };
}

/** Folds a command's reply into the saga: advance, retry, compensate or finish. */
export function applyReply(saga: SagaState, reply: CommandReply, limits: SagaLimits, now: Date): SagaState {
  const record = (result: string): SagaTransition => ({
    step: saga.step,
    attempt: saga.attempt,
    result,
    at: now.toISOString(),
  });
  const base = {
    ...saga,
    updatedAt: now.toISOString(),
    history: [...saga.history, record(reply.ok ? 'ok' : reply.code)],
  };
  if (reply.ok) return advance(base);
  if (reply.retryable && saga.attempt < limits.maxAttempts) return base; // same step, next attempt
  const reason = reply.retryable
    ? `${saga.step} gave up after ${saga.attempt} attempts: ${reply.message}`
    : `${FAILURE[saga.step as ForwardStep] ?? saga.step}: ${reply.message}`;
  return giveUp(base, reason, reply.retryable === true && mayHaveRun(base));
}

/**
 * Whether an attempt of the current step may have run although no definite answer came back: a
 * timeout or a retryable error. NO_RESPONDERS alone is certain: nobody was subscribed to receive it.
 */
function mayHaveRun(saga: SagaState): boolean {
  return saga.history.some((t) => t.step === saga.step && t.result !== 'ok' && t.result !== 'NO_RESPONDERS');
}

/** The runner finished the order (published order.completed / order.cancelled): notify next. */
export function finished(saga: SagaState, now: Date): SagaState {
  return {
    ...saga,
    step: 'notify',
    attempt: 0,
    updatedAt: now.toISOString(),
    history: [
      ...saga.history,
      { step: 'finish', attempt: 1, result: saga.outcome ?? 'cancelled', at: now.toISOString() },
    ],
  };
}

function advance(saga: SagaState): SagaState {
  const step = saga.step;
  if (step === 'payment' || step === 'stock' || step === 'shipment') {
    const next = NEXT[step];
    return {
      ...saga,
      step: next,
      attempt: 0,
      done: [...saga.done, step],
      ...(next === 'finish' ? { outcome: 'completed' as const } : {}),
    };
  }
  if (step === 'refund' || step === 'release') return nextCompensation(saga);
  if (step === 'notify') return { ...saga, step: 'done', attempt: 0, status: saga.outcome ?? 'cancelled' };
  return saga;
}

function giveUp(saga: SagaState, reason: string, uncertain: boolean): SagaState {
  const step = saga.step;
  if (step === 'payment' || step === 'stock' || step === 'shipment') {
    // Compensate what took effect, latest first. A step given up without a definite answer (timeouts,
    // retryable errors) may have taken effect all the same: it is compensated first. Refund and release
    // void an order their service has not seen, so a late copy of the step is refused, not carried out.
    const uncertainStep = uncertain ? [step] : [];
    const compensations = [...saga.done, ...uncertainStep].reverse().flatMap((done): CompensationStep[] => {
      const c = COMPENSATION[done];
      return c ? [c] : [];
    });
    return nextCompensation({ ...saga, reason, outcome: 'cancelled', compensations });
  }
  if (step === 'refund' || step === 'release') {
    // A compensation that keeps failing is recorded and the saga moves on: it must never hang.
    return nextCompensation({ ...saga, reason: `${saga.reason ?? ''}; compensation ${reason}`.replace(/^; /, '') });
  }
  // Notification is best effort: the order's outcome stands.
  return { ...saga, step: 'done', attempt: 0, status: saga.outcome ?? 'cancelled' };
}

function nextCompensation(saga: SagaState): SagaState {
  const [next, ...rest] = saga.compensations;
  if (next) return { ...saga, step: next, attempt: 0, compensations: rest };
  return { ...saga, step: 'finish', attempt: 0, compensations: [], outcome: saga.outcome ?? 'cancelled' };
}
