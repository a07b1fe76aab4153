import { buildEvent, type OrderPlaced } from '@flowscope/contracts';
import { headers as natsHeaders, type JsMsg } from 'nats';
import { DeliveryPipeline, type DeliveryTarget } from './delivery-pipeline';
import { invokeInConsumerSpan } from './invoke-handler';
import { parseDelivery } from './parse-delivery';
import { Settlement } from './settle';
import { reachesHandler } from './style-filter';
import { Turns } from './turns';

/** A JetStream delivery as the steps read it, with its settle calls recorded. */
function delivery(subject: string, body: string, deliveryCount = 1) {
  const settled: string[] = [];
  const msg = {
    subject,
    seq: 7,
    data: new TextEncoder().encode(body),
    headers: natsHeaders(),
    info: { streamSequence: 42, deliveryCount },
    ack: () => settled.push('ack'),
    nak: (ms?: number) => settled.push(`nak ${ms}`),
    term: (reason?: string) => settled.push(`term ${reason}`),
  };
  return { msg: msg as unknown as JsMsg, settled };
}

const placedBody = (orderId: string, style?: string) =>
  JSON.stringify({
    orderId,
    customerId: 'c-1',
    items: [{ sku: 'BOOK-1', qty: 1, unitPrice: 5 }],
    total: 5,
    currency: 'EUR',
    ...(style ? { style } : {}),
  });

describe('parseDelivery', () => {
  it('reads a bare JSON object as an event whose id is <subject>#<stream sequence>', () => {
    const parsed = parseDelivery(delivery('order.placed', placedBody('o-1')).msg);
    expect(parsed).toMatchObject({ event: { id: 'order.placed#42', type: 'order.placed', subject: 'o-1' } });
  });

  it('refuses malformed JSON and invalid data with their codes, without throwing', () => {
    expect(parseDelivery(delivery('order.placed', '{"orderId": ').msg)).toMatchObject({
      refused: { code: 'MALFORMED_JSON' },
    });
    expect(parseDelivery(delivery('stock.reserved', '{"reservationId":"r"}').msg)).toMatchObject({
      refused: { code: 'INVALID_EVENT', issues: [expect.objectContaining({ path: 'orderId' })] },
    });
  });
});

describe('reachesHandler', () => {
  const event = (style?: 'orchestration' | 'choreography') =>
    buildEvent('stock.reserved', { orderId: 'o-1', ...(style ? { style } : {}) }, { source: 'test' });

  it('lets choreographed events through, and orchestrated ones only to handlers for all styles', () => {
    expect([reachesHandler(event(), undefined), reachesHandler(event('choreography'), {})]).toEqual([true, true]);
    expect(reachesHandler(event('orchestration'), undefined)).toBe(false);
    expect(reachesHandler(event('orchestration'), { allStyles: true })).toBe(true);
  });
});

describe('Turns', () => {
  it('runs calls of one key one after the other, other keys alongside, and forgets settled keys', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const step =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
      };
    await Promise.allSettled([
      turns.run('a', step('a1', true)),
      turns.run('a', step('a2')),
      turns.run('b', step('b1')),
    ]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2')); // a failed turn still hands on
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(turns.size).toBe(0);
  });
});

describe('invokeInConsumerSpan', () => {
  it("calls the handler with the event and the delivery's context, and rethrows its failure", async () => {
    const { msg } = delivery('order.placed', placedBody('o-2'));
    const event = buildEvent('order.placed', JSON.parse(placedBody('o-2')) as OrderPlaced, { source: 'test' });
    const seen: unknown[] = [];
    await invokeInConsumerSpan(msg, event, 'svc-order_placed', (e, ctx) => {
      seen.push(e.id, ctx.getSubject(), ctx.getInfo().streamSequence);
      return Promise.resolve();
    });
    expect(seen).toEqual([event.id, 'order.placed', 42]);
    const failing = invokeInConsumerSpan(msg, event, 'svc', () => Promise.reject(new Error('boom')));
    await expect(failing).rejects.toThrow('boom');
  });
});

describe('Settlement', () => {
  const policy = { maxDeliver: 3, backoffMs: (n: number) => n * 100 };
  const quiet = { warn: () => undefined };

  function settlement() {
    const letters: { subject: string; code: string; deliveryCount?: number }[] = [];
    const deadLetters = {
      send: (m: { subject: string; deliveryCount?: number }, r: { code: string }) => {
        letters.push({ subject: m.subject, code: r.code, deliveryCount: m.deliveryCount });
        return Promise.resolve(true);
      },
    };
    return { settle: new Settlement(deadLetters, policy, quiet), letters };
  }

  it('acks, and retries a failure with the backoff of its delivery count', async () => {
    const { settle } = settlement();
    const ok = delivery('order.placed', '{}');
    expect(settle.ack(ok.msg)).toBe('ack');
    const failing = delivery('order.placed', '{}', 2);
    await expect(settle.failed(failing.msg, new Error('not yet'))).resolves.toBe('retry');
    expect([...ok.settled, ...failing.settled]).toEqual(['ack', 'nak 200']);
  });

  it('dead-letters a failure at maxDeliver with MAX_DELIVERIES, and a refusal at once, then terminates', async () => {
    const { settle, letters } = settlement();
    const last = delivery('order.placed', '{}', 3);
    await expect(settle.failed(last.msg, new Error('still broken'))).resolves.toBe('dead_letter');
    const refused = delivery('stock.reserved', '{}');
    await settle.refuse(refused.msg, { code: 'INVALID_EVENT', message: 'orderId missing' });
    expect(letters).toEqual([
      { subject: 'order.placed', code: 'MAX_DELIVERIES', deliveryCount: 3 },
      { subject: 'stock.reserved', code: 'INVALID_EVENT', deliveryCount: 1 },
    ]);
    expect([...last.settled, ...refused.settled]).toEqual(['term MAX_DELIVERIES', 'term INVALID_EVENT']);
  });
});

describe('DeliveryPipeline, a held acknowledgement', () => {
  const pipeline = () =>
    new DeliveryPipeline({
      service: 'svc',
      deadLetters: { send: () => Promise.resolve(true) },
      redelivery: { maxDeliver: 3, backoffMs: () => 100 },
      logger: { warn: () => undefined, error: () => undefined },
    });
  const target = (call: DeliveryTarget['call']): DeliveryTarget => ({
    subject: 'order.placed',
    durable: 'svc-order_placed',
    extras: { allStyles: true },
    call,
  });

  it('is not given when the handler returns, but when the handler says so, once', async () => {
    const { msg, settled } = delivery('order.placed', placedBody('o-3', 'orchestration'));
    let release: (() => void) | undefined;
    const outcome = await pipeline().handle(
      msg,
      target((_, ctx) => {
        release = ctx.holdAck();
        return Promise.resolve();
      }),
    );
    expect(outcome).toBe('held');
    expect(settled).toEqual([]);
    release!();
    expect(settled).toEqual(['ack']);
  });

  it('a handler that does not hold it is acked as before; one that fails after holding is retried', async () => {
    const plain = delivery('order.placed', placedBody('o-4'));
    await expect(
      pipeline().handle(
        plain.msg,
        target(() => Promise.resolve()),
      ),
    ).resolves.toBe('ack');
    expect(plain.settled).toEqual(['ack']);
    const failing = delivery('order.placed', placedBody('o-5'));
    const outcome = await pipeline().handle(
      failing.msg,
      target((_, ctx) => {
        ctx.holdAck();
        return Promise.reject(new Error('boom'));
      }),
    );
    expect(outcome).toBe('retry');
    expect(failing.settled).toEqual(['nak 100']);
  });
});
