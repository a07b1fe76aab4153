import { ReplyCode, type CommandReply } from '@flowscope/contracts';
import { actionOf, applyPublished, applyReply, beginAttempt, readyForNext } from './order-saga';
import { isOpen, startSaga, type SagaState } from './saga-state';

const now = new Date('2026-01-01T00:00:00Z');
const limits = { maxAttempts: 3 };
const ok: CommandReply = { ok: true };
const refused = (code: string): CommandReply => ({ ok: false, code, message: `${code} happened`, retryable: false });
const timeout: CommandReply = { ok: false, code: ReplyCode.COMMAND_TIMEOUT, message: 'no reply', retryable: true };
const order = { customerId: 'c-1', items: [{ sku: 'A', qty: 1, unitPrice: 5 }], total: 5, currency: 'EUR' };

/**
 * Runs the saga as the SagaRunner does, against scripted replies per step; returns the commands sent,
 * the events published, the states written to the bucket (in order), what was stored before each
 * command went out, and the end state.
 */
function run(replies: Partial<Record<string, CommandReply[]>>): {
  sent: string[];
  published: string[];
  written: SagaState[];
  storedWhenSent: SagaState[];
  saga: SagaState;
} {
  let saga = beginAttempt(startSaga('o-1', order, now), now); // StartSaga's one write
  const [sent, published, written, storedWhenSent]: [string[], string[], SagaState[], SagaState[]] = [
    [],
    [],
    [saga],
    [],
  ];
  const store = (next: SagaState | undefined) => next && written.push(next);
  for (let guard = 0; isOpen(saga) && guard < 50; guard++) {
    const action = actionOf(saga);
    if (action.kind === 'event') {
      published.push(action.type);
      saga = applyPublished(saga, now);
    } else {
      sent.push(action.subject);
      storedWhenSent.push(written.at(-1)!);
      expect(written.at(-1)).toBe(saga);
      saga = applyReply(saga, replies[saga.step]?.shift() ?? ok, limits, now);
    }
    const next = readyForNext(saga, now);
    store(next);
    saga = next ?? saga;
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

  it('writes the saga once per step, each command going out with its attempt already stored', () => {
    const { written, storedWhenSent, sent } = run({});
    // payment (at start), stock, shipment, notify (with finish recorded), then the end
    expect(written.map((w) => `${w.step} ${w.attempt} ${w.status}`)).toEqual([
      'payment 1 running',
      'stock 1 running',
      'shipment 1 running',
      'notify 1 running',
      'notify 0 completed',
    ]);
    expect(storedWhenSent.map((w) => `${w.step} ${w.attempt}`)).toEqual([
      'payment 1',
      'stock 1',
      'shipment 1',
      'notify 1',
    ]);
    expect(written.length).toBe(sent.length + 1);
    expect(written[3].history.map((t) => `${t.step} ${t.result}`)).toEqual([
      'payment ok',
      'stock ok',
      'shipment ok',
      'finish completed',
    ]);
  });

  it('a retried step stores its next attempt, with the failed one recorded, in the same single write', () => {
    const { written } = run({ stock: [timeout] });
    expect(written.map((w) => `${w.step} ${w.attempt}`).slice(1, 3)).toEqual(['stock 1', 'stock 2']);
    expect(written[2].history.at(-1)).toMatchObject({ step: 'stock', attempt: 1, result: ReplyCode.COMMAND_TIMEOUT });
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
