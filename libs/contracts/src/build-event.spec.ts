import { z } from 'zod';
import { buildEvent, deterministicEventId } from './envelope';
import { ContractError } from './errors';
import { eventSchemas, eventTypes, isEventType, styleOf } from './events';
import { dlqSubject, EVENTS_STREAM_SUBJECTS } from './subjects';
import { toIssues, validate } from './validation';

// RFC 9562 shape of a name-based (version 5) UUID: version nibble 5, variant bits 10xx.
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deterministicEventId', () => {
  it('gives the same id for the same type and key, every time and in every release', () => {
    expect(deterministicEventId('order.placed', 'o-1')).toBe(deterministicEventId('order.placed', 'o-1'));
    // Pinned: a changed id would let a re-publish after an upgrade slip past JetStream's dedupe.
    expect(deterministicEventId('order.placed', 'o-1')).toBe('a79bb5e2-d49a-5af5-b3f9-b2a469d2df9f');
  });

  it('differs per type and per key', () => {
    const ids = new Set([
      deterministicEventId('order.placed', 'o-1'),
      deterministicEventId('order.placed', 'o-2'),
      deterministicEventId('order.completed', 'o-1'),
    ]);
    expect(ids.size).toBe(3);
  });

  it('looks like a version 5 UUID, for any type and key', () => {
    for (const type of eventTypes) {
      for (let n = 0; n < 50; n++) expect(deterministicEventId(type, `o-${n}`)).toMatch(UUID_V5);
    }
  });

  it('is accepted by a strict UUID validator', () => {
    expect(z.uuid().safeParse(deterministicEventId('order.placed', 'o-1')).success).toBe(true);
  });
});

describe('buildEvent', () => {
  const time = new Date(Date.UTC(2026, 0, 1));

  it('wraps valid data in a CloudEvent whose subject is the orderId', () => {
    const event = buildEvent('payment.authorized', { orderId: 'o-1', amount: 3 }, { source: 'payments', time });
    expect(event).toEqual({
      specversion: '1.0',
      id: deterministicEventId('payment.authorized', 'o-1'),
      source: 'payments',
      type: 'payment.authorized',
      time: time.toISOString(),
      subject: 'o-1',
      datacontenttype: 'application/json',
      data: { orderId: 'o-1', amount: 3 },
      correlationid: 'o-1',
    });
  });

  it('a reaction takes its causation id from the cause and keeps its correlation id', () => {
    const cause = { id: 'cause-1', correlationid: 'flow-7' };
    const event = buildEvent('stock.reserved', { orderId: 'o-1' }, { source: 'seller', causedBy: cause });
    expect(event).toMatchObject({ causationid: 'cause-1', correlationid: 'flow-7' });
  });

  it('an event caused by nothing has no causation id at all', () => {
    expect(buildEvent('stock.reserved', { orderId: 'o-1' }, { source: 'seller' })).not.toHaveProperty('causationid');
  });

  it('an explicit id wins over the deterministic one', () => {
    expect(buildEvent('stock.reserved', { orderId: 'o-1' }, { source: 'seller', id: 'e-1' }).id).toBe('e-1');
  });

  it('refuses invalid data on send too, with the code INVALID_EVENT', () => {
    const send = () => buildEvent('order.completed', { orderId: 'o 1' }, { source: 'orders' });
    expect(send).toThrow(ContractError);
    expect(send).toThrow(/^invalid order\.completed: orderId: /);
  });
});

describe('validate', () => {
  const schema = z.object({ items: z.array(z.object({ qty: z.number().positive() })), name: z.string() });

  it('returns the parsed value when it is valid', () => {
    expect(validate(schema, { items: [{ qty: 1 }], name: 'n' }, 'INVALID_COMMAND', 'thing')).toEqual({
      items: [{ qty: 1 }],
      name: 'n',
    });
  });

  it('reports every problem with a dotted path, array indexes included', () => {
    let error: unknown;
    try {
      validate(schema, { items: [{ qty: 1 }, { qty: -1 }] }, 'INVALID_COMMAND', 'thing');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toMatchObject({
      code: 'INVALID_COMMAND',
      message: expect.stringMatching(/^invalid thing: items\.1\.qty: .+; name: .+/),
    });
    expect((error as ContractError).issues.map((i) => i.path)).toEqual(['items.1.qty', 'name']);
  });

  it('names the root when the value itself is wrong', () => {
    const result = schema.safeParse('nope');
    expect(result.success).toBe(false);
    expect(toIssues(result.error!)).toEqual([expect.objectContaining({ path: '(root)' })]);
  });
});

describe('event catalogue', () => {
  it('every event type is a subject the EVENTS stream captures, and never a command', () => {
    const prefixes = EVENTS_STREAM_SUBJECTS.map((s) => s.replace('>', ''));
    for (const type of eventTypes) {
      expect(prefixes.some((p) => type.startsWith(p))).toBe(true);
      expect(type.startsWith('cmd.')).toBe(false);
    }
  });

  it('knows exactly the event types of the contract', () => {
    expect(isEventType('order.placed')).toBe(true);
    expect(isEventType('order.exploded')).toBe(false);
    expect(isEventType('toString')).toBe(false);
    expect(Object.keys(eventSchemas)).toHaveLength(12);
  });

  it('an event without a style belongs to a choreographed flow', () => {
    expect(styleOf({})).toBe('choreography');
    expect(styleOf({ style: 'orchestration' })).toBe('orchestration');
  });

  it('dead letters of a service go to dlq.<service>', () => {
    expect(dlqSubject('payments')).toBe('dlq.payments');
  });
});
