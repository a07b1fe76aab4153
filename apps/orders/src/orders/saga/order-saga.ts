// The orchestrated order as one transition table, read top to bottom. As in Temporal's saga sample:
// do a step, remember its undo, and when a step fails undo what was remembered, latest first.
//
//   payment → stock → shipment → finish (order.completed) → notify → completed
//   a step fails → its remembered undos, latest first (release, then refund) → finish (order.cancelled)
//                → notify → cancelled
//
// Pure functions of the saga state and a step's result: the SagaRunner saves the state, carries out
// the current step's action (sends its command or publishes its event) and applies the result here.
import {
  CMD_CUSTOMER_NOTIFY,
  CMD_PAYMENT_AUTHORIZE,
  CMD_PAYMENT_REFUND,
  CMD_SHIPMENT_SCHEDULE,
  CMD_STOCK_RELEASE,
  CMD_STOCK_RESERVE,
  ORDER_CANCELLED,
  ORDER_COMPLETED,
  ReplyCode,
  type CommandData,
  type CommandReply,
  type CommandSubject,
} from '@flowscope/contracts';
import {
  isOpen,
  outcomeOf,
  type CompensationStep,
  type ForwardStep,
  type SagaLimits,
  type SagaState,
  type SagaStep,
} from './saga-state';

/** The forward steps in the order they run. */
const FORWARD_STEPS: readonly ForwardStep[] = ['payment', 'stock', 'shipment'];

/** What a step does: send a command (request/reply), or publish the order's final event. */
export type SagaAction =
  | { kind: 'command'; subject: CommandSubject; data: CommandData<CommandSubject>; compensating: boolean }
  | {
      kind: 'event';
      type: typeof ORDER_COMPLETED | typeof ORDER_CANCELLED;
      data: { orderId: string; style: 'orchestration'; reason?: string };
    };

/** Where a step's result leads. */
export type SagaNext =
  /** that step, next */
  | SagaStep
  /** undo what took effect, latest first, then finish: the order is cancelled */
  | 'compensate'
  /** the same, undoing this step first if an attempt may have taken effect without saying so */
  | 'compensate-unanswered'
  /** the next remembered undo, or finish when none is left (a failed undo is recorded, never waited on) */
  | 'next-undo'
  /** the saga is over, the order ended as decided */
  | 'end';

export interface SagaStepRule {
  action: (saga: SagaState) => SagaAction;
  /** Remembered once the step took effect; run if a later step fails. */
  undo?: CompensationStep;
  onOk: SagaNext;
  /** A definite no (a reply that is not retryable). */
  onRefusal: SagaNext;
  /** No definite answer after every attempt (timeouts, retryable errors). */
  onGiveUp: SagaNext;
  /** How the cancellation reads when this step says no: as in choreography, so both styles end alike. */
  refusal?: string;
}

const style = 'orchestration' as const;
const command = (subject: CommandSubject, data: CommandData<CommandSubject>, compensating = false): SagaAction => ({
  kind: 'command',
  subject,
  data,
  compensating,
});
const undoCommand = (subject: CommandSubject, data: CommandData<CommandSubject>): SagaAction =>
  command(subject, data, true);

export const ORDER_SAGA: Record<SagaStep, SagaStepRule> = {
  payment: {
    action: ({ orderId, order: { customerId, total, currency } }) =>
      command(CMD_PAYMENT_AUTHORIZE, { orderId, style, customerId, amount: total, currency }),
    undo: 'refund',
    onOk: 'stock',
    onRefusal: 'compensate',
    onGiveUp: 'compensate-unanswered',
    refusal: 'payment declined',
  },
  stock: {
    action: ({ orderId, order }) => command(CMD_STOCK_RESERVE, { orderId, style, items: order.items }),
    undo: 'release',
    onOk: 'shipment',
    onRefusal: 'compensate',
    onGiveUp: 'compensate-unanswered',
    refusal: 'stock unavailable',
  },
  shipment: {
    action: ({ orderId, order }) => command(CMD_SHIPMENT_SCHEDULE, { orderId, style, destination: order.destination }),
    onOk: 'finish',
    onRefusal: 'compensate',
    onGiveUp: 'compensate-unanswered',
    refusal: 'shipment failed',
  },
  release: {
    action: ({ orderId, reason }) => undoCommand(CMD_STOCK_RELEASE, { orderId, style, reason }),
    onOk: 'next-undo',
    onRefusal: 'next-undo',
    onGiveUp: 'next-undo',
  },
  refund: {
    action: ({ orderId, reason }) => undoCommand(CMD_PAYMENT_REFUND, { orderId, style, reason }),
    onOk: 'next-undo',
    onRefusal: 'next-undo',
    onGiveUp: 'next-undo',
  },
  finish: {
    action: (saga) =>
      outcomeOf(saga) === 'completed'
        ? { kind: 'event', type: ORDER_COMPLETED, data: { orderId: saga.orderId, style } }
        : { kind: 'event', type: ORDER_CANCELLED, data: { orderId: saga.orderId, style, reason: saga.reason } },
    onOk: 'notify',
    onRefusal: 'notify',
    onGiveUp: 'notify',
  },
  // Best effort: a notification that fails does not change how the order ended.
  notify: {
    action: (saga) =>
      command(CMD_CUSTOMER_NOTIFY, { orderId: saga.orderId, style, template: `order-${outcomeOf(saga)}` }),
    onOk: 'end',
    onRefusal: 'end',
    onGiveUp: 'end',
  },
};

/** The current step's action. */
export function actionOf(saga: SagaState): SagaAction {
  return ORDER_SAGA[saga.step].action(saga);
}

/** How sure a step's result is: a definite one comes back the same when its command is sent again. */
export type Answer = 'definite' | 'uncertain';

/** The state the next step starts from, and whether it must be stored before that step runs. */
export interface NextState {
  saga: SagaState;
  store: boolean;
}

/**
 * What to do after a transition. Every command is idempotent (a re-sent one returns its first
 * outcome, a refusal included) and every event's id is the same each time, so a saga resumed from
 * an earlier stored state replays the same steps to the same place, as long as it takes only
 * definite results for its forward steps (a resumed saga does not give one up: see applyReply).
 * Stored, then, only where a replay could not find its way back:
 * - after an uncertain result (a timeout, a retryable error: the attempts made and what may have
 *   taken effect are known only here), with the next attempt begun in the same write;
 * - once the saga is over (it is not resumed again).
 * Other results are kept in memory only; the next command's attempt begins there. A saga whose
 * steps all answer is stored twice: at start (StartSaga) and at the end.
 */
export function nextState(saga: SagaState, answer: Answer, now: Date): NextState {
  if (!isOpen(saga)) return { saga, store: true };
  if (actionOf(saga).kind === 'event') return { saga, store: answer === 'uncertain' };
  return { saga: beginAttempt(saga, now), store: answer === 'uncertain' };
}

/** How sure a command's reply is (see nextState). */
export function answerOf(reply: CommandReply): Answer {
  return reply.ok || !reply.retryable ? 'definite' : 'uncertain';
}

/** Marks a new attempt of the current step: saved before its command goes out. */
export function beginAttempt(saga: SagaState, now: Date): SagaState {
  return { ...saga, attempt: saga.attempt + 1, updatedAt: now.toISOString() };
}

/** Folds a command's reply into the saga: next step, same step again, or where a failure leads. */
export function applyReply(saga: SagaState, reply: CommandReply, limits: SagaLimits, now: Date): SagaState {
  const rule = ORDER_SAGA[saga.step];
  const recorded = record(saga, saga.attempt, reply.ok ? 'ok' : reply.code, now);
  if (reply.ok) return follow(remember(recorded, rule.undo), rule.onOk);
  // A resumed saga does not give up a forward step: the run before may have gone past it (see nextState).
  const keepTrying = limits.resumed === true && FORWARD_STEPS.includes(saga.step as ForwardStep);
  if (reply.retryable && (saga.attempt < limits.maxAttempts || keepTrying)) return recorded;
  if (reply.retryable) {
    return follow(recorded, rule.onGiveUp, `${saga.step} gave up after ${saga.attempt} attempts: ${reply.message}`);
  }
  return follow(recorded, rule.onRefusal, `${rule.refusal ?? saga.step}: ${reply.message}`);
}

/** The step's event was published (finish): recorded with how the order ended. */
export function applyPublished(saga: SagaState, now: Date): SagaState {
  return follow(record(saga, 1, outcomeOf(saga), now), ORDER_SAGA[saga.step].onOk);
}

function record(saga: SagaState, attempt: number, result: string, now: Date): SagaState {
  const at = now.toISOString();
  return { ...saga, updatedAt: at, history: [...saga.history, { step: saga.step, attempt, result, at }] };
}

function remember(saga: SagaState, undo: CompensationStep | undefined): SagaState {
  return undo ? { ...saga, compensations: [...saga.compensations, undo] } : saga;
}

function follow(saga: SagaState, next: SagaNext, failure?: string): SagaState {
  switch (next) {
    case 'compensate':
      return nextUndo({ ...saga, status: 'compensating', reason: failure });
    case 'compensate-unanswered': {
      const undoThisToo = mayHaveTakenEffect(saga) ? ORDER_SAGA[saga.step].undo : undefined;
      return nextUndo(remember({ ...saga, status: 'compensating', reason: failure }, undoThisToo));
    }
    case 'next-undo':
      return nextUndo(failure ? { ...saga, reason: joinReasons(saga.reason, `compensation ${failure}`) } : saga);
    case 'end':
      return { ...saga, attempt: 0, status: outcomeOf(saga) };
    default:
      return { ...saga, step: next, attempt: 0 };
  }
}

function joinReasons(...reasons: (string | undefined)[]): string {
  return reasons.filter(Boolean).join('; ');
}

function nextUndo(saga: SagaState): SagaState {
  const compensations = saga.compensations.slice(0, -1);
  return { ...saga, step: saga.compensations.at(-1) ?? 'finish', attempt: 0, compensations };
}

/**
 * Whether an attempt of the current step may have run although no definite answer came back: a
 * timeout or a retryable error. NO_RESPONDERS alone is certain: nobody was subscribed to receive it.
 */
function mayHaveTakenEffect(saga: SagaState): boolean {
  return saga.history.some((t) => t.step === saga.step && t.result !== 'ok' && t.result !== ReplyCode.NO_RESPONDERS);
}
