import type { CommandReply } from '@flowscope/contracts';
import type { CommandClient, EventPublisher } from '@flowscope/messaging';
import type { OrdersConfig } from '../../config';
import { beginAttempt } from './order-saga';
import { SagaRunner } from './saga-runner';
import { isOpen, startSaga, type SagaState } from './saga-state';
import type { SagaStore } from './saga-store';

const order = { customerId: 'c-1', items: [{ sku: 'A', qty: 1, unitPrice: 5 }], total: 5, currency: 'EUR' };
const config = { SAGA_STEP_TIMEOUT_MS: 1000, SAGA_MAX_ATTEMPTS: 3, SAGA_RETRY_BACKOFF_MS: 1 } as OrdersConfig;

/** A runner over an in-memory bucket, commands answered by `answer`. */
function rig(answer: (subject: string) => CommandReply = () => ({ ok: true })) {
  const bucket = new Map<string, SagaState>();
  const log: string[] = [];
  const store = {
    get: (id: string) => Promise.resolve(bucket.get(id)),
    save: (saga: SagaState) => {
      bucket.set(saga.orderId, saga);
      log.push(`stored ${saga.step} ${saga.status}`);
      return Promise.resolve(saga);
    },
    unfinished: () => Promise.resolve([...bucket.values()].filter(isOpen).map((s) => s.orderId)),
  } as unknown as SagaStore;
  const commands = {
    send: (subject: string) => {
      log.push(`sent ${subject}`);
      return Promise.resolve(answer(subject));
    },
  } as unknown as CommandClient;
  const events = {
    publish: (type: string) => {
      log.push(`published ${type}`);
      return Promise.resolve();
    },
  } as unknown as EventPublisher;
  const runner = new SagaRunner(store, commands, events, config);
  const settled = () => runner.idle();
  return { runner, bucket, log, settled };
}

const newSaga = () => beginAttempt(startSaga('o-1', order, new Date()), new Date());

describe('SagaRunner', () => {
  it('stores a new saga whose steps all answer once, at the end, and gives its held ack then', async () => {
    const { runner, log, bucket, settled } = rig();
    const acks: string[] = [];
    runner.start(newSaga(), () => acks.push(`acked after ${log.length} steps`), false);
    await settled();
    expect(log).toEqual([
      'sent cmd.payment.authorize',
      'sent cmd.stock.reserve',
      'sent cmd.shipment.schedule',
      'published order.completed',
      'sent cmd.customer.notify',
      'stored notify completed',
    ]);
    expect(acks).toEqual(['acked after 6 steps']);
    expect(bucket.get('o-1')?.status).toBe('completed');
  });

  it('stores at the first uncertain answer, and gives the held ack there', async () => {
    let first = true;
    const { runner, log, settled } = rig((subject) => {
      if (subject !== 'cmd.stock.reserve' || !first) return { ok: true };
      first = false;
      return { ok: false, code: 'COMMAND_TIMEOUT', message: 'no reply', retryable: true };
    });
    const acks: number[] = [];
    runner.start(newSaga(), () => acks.push(log.length), false);
    await settled();
    expect(log.slice(0, 3)).toEqual(['sent cmd.payment.authorize', 'sent cmd.stock.reserve', 'stored stock running']);
    expect(acks).toEqual([3]);
  });

  it('stores a saga held longer than its limit at its next step', async () => {
    const now = jest.spyOn(performance, 'now');
    let clock = 0;
    now.mockImplementation(() => clock);
    try {
      const { runner, log, settled } = rig((subject) => {
        if (subject === 'cmd.payment.authorize') clock += 6000; // a slow but answering payment
        return { ok: true };
      });
      const acks: number[] = [];
      runner.start(newSaga(), () => acks.push(log.length), false);
      await settled();
      expect(log.slice(0, 2)).toEqual(['sent cmd.payment.authorize', 'stored stock running']);
      expect(acks).toEqual([2]);
      expect(log.at(-1)).toBe('stored notify completed');
    } finally {
      now.mockRestore();
    }
  });

  it('resumes the unfinished sagas of the bucket at start', async () => {
    const { runner, bucket, log, settled } = rig();
    bucket.set('o-1', { ...newSaga(), step: 'shipment', history: [] });
    await runner.onApplicationBootstrap();
    await settled();
    expect(log[0]).toBe('stored shipment running'); // its attempt, stored before it goes out again
    expect(log).toContain('sent cmd.shipment.schedule');
    expect(bucket.get('o-1')?.status).toBe('completed');
  });
});
