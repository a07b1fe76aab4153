import { ReplyCode, type CommandReply } from '@flowscope/contracts';
import { actionOf, answerOf, applyPublished, applyReply, beginAttempt, nextState } from './order-saga';
import { isOpen, startSaga, type SagaState } from './saga-state';

const now = new Date('2026-01-01T00:00:00Z');
const limits = { maxAttempts: 3 };
const ok: CommandReply = { ok: true };
const refused = (code: string): CommandReply => ({ ok: false, code, message: `${code} happened`, retryable: false });
const timeout: CommandReply = { ok: false, code: ReplyCode.COMMAND_TIMEOUT, message: 'no reply', retryable: true };
const order = { customerId: 'c-1', items: [{ sku: 'A', qty: 1, unitPrice: 5 }], total: 5, currency: 'EUR' };

/**
 * Runs the saga as the SagaRunner does, against scripted replies per step; returns the commands sent,
 * the events published, the states written to the bucket (in order), what was stored last before
 * each command went out, and the end state. `from`: a state read back from the bucket (resumed).
 */
function run(
  replies: Partial<Record<string, CommandReply[]>>,
  from?: SagaState,
): {
  sent: string[];
  published: string[];
  written: SagaState[];
  storedWhenSent: (SagaState | undefined)[];
  saga: SagaState;
} {
  // A new saga starts with nothing stored (StartSaga); a resumed one with the runner's write of a new attempt
  let saga = beginAttempt(from ?? startSaga('o-1', order, now), now);
  const [sent, published, written, storedWhenSent]: [string[], string[], SagaState[], (SagaState | undefined)[]] = [
    [],
    [],
    from ? [saga] : [],
    [],
  ];
  const options = { ...limits, resumed: from !== undefined };
  for (let guard = 0; isOpen(saga) && guard < 50; guard++) {
    const action = actionOf(saga);
    let next;
    if (action.kind === 'event') {
      published.push(action.type);
      next = nextState(applyPublished(saga, now), 'definite', now);
    } else {
      sent.push(action.subject);
      storedWhenSent.push(written.at(-1));
      const reply = replies[saga.step]?.shift() ?? ok;
      next = nextState(applyReply(saga, reply, options, now), answerOf(reply), now);
    }
    if (next.store) written.push(next.saga);
    saga = next.saga;
  }
  return { sent, published, written, storedWhenSent, saga };
}

describe('OrderSaga', () => {
  it('runs payment, stock, shipment, then notifies, and completes', () => {
    const { sent, published, saga } = run({});
    expect(sent).toEqual([
      'cmd.payment.authorize',
      'cmd.stock.reserve',
      'cmd.shipment.schedule',
      'cmd.customer.notify',
    ]);
    expect(published).toEqual(['order.completed']);
    expect(saga).toMatchObject({ status: 'completed', step: 'notify' });
    expect(saga.history.find((t) => t.step === 'finish')).toMatchObject({ attempt: 1, result: 'completed' });
  });

  it('stores the saga once when every step answers: at the end', () => {
    const { written, sent, published, storedWhenSent } = run({});
    expect(written.map((w) => `${w.step} ${w.attempt} ${w.status}`)).toEqual(['notify 0 completed']);
    expect(sent).toHaveLength(4);
    expect(storedWhenSent).toEqual([undefined, undefined, undefined, undefined]);
    expect(published).toEqual(['order.completed']);
    expect(written[0].history.map((t) => `${t.step} ${t.result}`)).toEqual([
      'payment ok',
      'stock ok',
      'shipment ok',
      'finish completed',
      'notify ok',
    ]);
  });

  it('a retried step stores its next attempt, with the failed one recorded, in the same single write', () => {
    const { written, storedWhenSent } = run({ stock: [timeout] });
    expect(written.map((w) => `${w.step} ${w.attempt}`)).toEqual(['stock 2', 'notify 0']);
    expect(written[0].history.at(-1)).toMatchObject({ step: 'stock', attempt: 1, result: ReplyCode.COMMAND_TIMEOUT });
    // the retry goes out with its attempt stored
    const { sent } = run({ stock: [timeout] });
    expect(sent[2]).toBe('cmd.stock.reserve');
    expect(`${storedWhenSent[2]?.step} ${storedWhenSent[2]?.attempt}`).toBe('stock 2');
  });

  it('a saga resumed from any stored state, its commands answering with their first outcomes, ends as it would have', () => {
    const scripts: Partial<Record<string, CommandReply[]>>[] = [
      {},
      { payment: [refused(ReplyCode.PAYMENT_DECLINED)] },
      { stock: [refused(ReplyCode.STOCK_UNAVAILABLE)] },
      { shipment: [refused(ReplyCode.SHIPMENT_FAILED)] },
      { stock: [timeout] },
    ];
    for (const script of scripts) {
      // the first outcome of each step, as the services keep it
      const firstOutcome = (step: string) => script[step]?.find((r) => !r.retryable) ?? ok;
      const whole = run(structuredClone(script));
      // from every stored state, and from the start (an order.placed delivered again: nothing stored)
      const start = beginAttempt(startSaga('o-1', order, now), now);
      for (const stored of [start, ...whole.written.filter(isOpen)]) {
        const replay = Object.fromEntries(
          ['payment', 'stock', 'shipment', 'release', 'refund', 'notify'].map((s) => [s, [firstOutcome(s)]]),
        );
        const resumed = run(replay, stored);
        expect([resumed.saga.status, resumed.saga.reason]).toEqual([whole.saga.status, whole.saga.reason]);
        expect(resumed.published).toEqual(stored.step === 'notify' ? [] : whole.published);
      }
    }
  });

  it('a resumed saga retries a forward step until it answers: the run before may have gone past it', () => {
    const atPayment = beginAttempt(startSaga('o-1', order, now), now);
    const resumed = run({ payment: [timeout, timeout, timeout, timeout, timeout] }, atPayment);
    expect(resumed.sent.filter((s) => s === 'cmd.payment.authorize')).toHaveLength(6);
    expect(resumed.saga.status).toBe('completed');
    // each uncertain answer is stored with the next attempt
    expect(resumed.written.map((w) => w.attempt)).toEqual([2, 3, 4, 5, 6, 7, 0]);
    // its compensations and notification still give up after their attempts
    const compensating = run(
      { refund: [timeout, timeout, timeout] },
      { ...atPayment, attempt: 0, status: 'compensating', step: 'refund', reason: 'x' },
    );
    expect(compensating.saga).toMatchObject({ status: 'cancelled' });
    expect(compensating.sent).toEqual([
      'cmd.payment.refund',
      'cmd.payment.refund',
      'cmd.payment.refund',
      'cmd.customer.notify',
    ]);
  });

  it('when payment is declined, it cancels with nothing to compensate', () => {
    const { sent, published, saga } = run({ payment: [refused(ReplyCode.PAYMENT_DECLINED)] });
    expect(sent).toEqual(['cmd.payment.authorize', 'cmd.customer.notify']);
    expect(published).toEqual(['order.cancelled']);
    expect(saga).toMatchObject({ status: 'cancelled', reason: 'payment declined: PAYMENT_DECLINED happened' });
  });

  it('when stock is unavailable, it refunds the payment', () => {
    const { sent } = run({ stock: [refused(ReplyCode.STOCK_UNAVAILABLE)] });
    expect(sent).toEqual(['cmd.payment.authorize', 'cmd.stock.reserve', 'cmd.payment.refund', 'cmd.customer.notify']);
  });

  it('when shipping fails, it compensates in reverse order: release, then refund', () => {
    const { sent, saga } = run({ shipment: [refused(ReplyCode.SHIPMENT_FAILED)] });
    expect(sent).toEqual([
      'cmd.payment.authorize',
      'cmd.stock.reserve',
      'cmd.shipment.schedule',
      'cmd.stock.release',
      'cmd.payment.refund',
      'cmd.customer.notify',
    ]);
    expect(actionOf({ ...saga, step: 'release' })).toMatchObject({ compensating: true });
    expect(actionOf({ ...saga, step: 'stock' })).toMatchObject({ compensating: false });
  });

  it('retries a step that times out, and goes on when it answers within the attempts', () => {
    const { sent, saga } = run({ stock: [timeout, timeout] });
    expect(sent.filter((s) => s === 'cmd.stock.reserve')).toHaveLength(3);
    expect(saga.status).toBe('completed');
  });

  it('gives up on a step after its attempts, compensates what was done, and never hangs', () => {
    const { sent, saga } = run({ shipment: [timeout, timeout, timeout] });
    expect(sent.slice(-3)).toEqual(['cmd.stock.release', 'cmd.payment.refund', 'cmd.customer.notify']);
    expect(saga).toMatchObject({ status: 'cancelled', reason: 'shipment gave up after 3 attempts: no reply' });
  });

  it('compensates a forward step it gave up on without an answer: it may have taken effect', () => {
    expect(run({ payment: [timeout, timeout, timeout] }).sent.slice(-2)).toEqual([
      'cmd.payment.refund',
      'cmd.customer.notify',
    ]);
    expect(run({ stock: [timeout, timeout, timeout] }).sent.slice(-3)).toEqual([
      'cmd.stock.release',
      'cmd.payment.refund',
      'cmd.customer.notify',
    ]);
  });

  it('does not compensate a step that definitely did not happen: refused, or nobody there to receive it', () => {
    expect(run({ stock: [refused(ReplyCode.STOCK_UNAVAILABLE)] }).sent).not.toContain('cmd.stock.release');
    const noResponders: CommandReply = {
      ok: false,
      code: ReplyCode.NO_RESPONDERS,
      message: 'nobody answers',
      retryable: true,
    };
    expect(run({ payment: [noResponders, noResponders, noResponders] }).sent.slice(-2)).toEqual([
      'cmd.payment.authorize',
      'cmd.customer.notify',
    ]);
    expect(run({ payment: [timeout, noResponders, noResponders] }).sent.slice(-2)).toEqual([
      'cmd.payment.refund',
      'cmd.customer.notify',
    ]);
  });

  it('a compensation that keeps failing is recorded, and the saga still ends', () => {
    const { saga } = run({ stock: [refused(ReplyCode.STOCK_UNAVAILABLE)], refund: [timeout, timeout, timeout] });
    expect(saga.status).toBe('cancelled');
    expect(saga.reason).toContain('compensation refund gave up after 3 attempts');
  });

  it('a failed notification does not change how the order ended', () => {
    const { saga } = run({ notify: [timeout, timeout, timeout] });
    expect(saga).toMatchObject({ status: 'completed' });
    expect(
      run({ payment: [refused(ReplyCode.PAYMENT_DECLINED)], notify: [refused('NOTIFY_DOWN')] }).saga,
    ).toMatchObject({
      status: 'cancelled',
      reason: 'payment declined: PAYMENT_DECLINED happened',
    });
  });

  it('notifies with the template of how the order ended', () => {
    const notifyOf = (saga: SagaState) => actionOf({ ...saga, step: 'notify' });
    expect(notifyOf(run({}).saga)).toMatchObject({ data: { template: 'order-completed' } });
    const cancelled = run({ stock: [refused(ReplyCode.STOCK_UNAVAILABLE)] }).saga;
    expect(notifyOf(cancelled)).toMatchObject({ data: { template: 'order-cancelled' } });
  });
});
