import {
  buildEvent,
  CloudEventSchema,
  isPlainCloudEvent,
  MAX_EVENT_BYTES,
  parseEvent,
  type EventEnvelope,
  type ReceivedMessage,
} from './envelope';
import { ContractError, type ContractErrorCode } from './errors';
import type { OrderPlaced } from './events';
import { MAX_JSON_DEPTH } from './validation';

const placedData: OrderPlaced = {
  orderId: 'o-1',
  customerId: 'c-1',
  items: [{ sku: 'A', qty: 2, unitPrice: 5 }],
  total: 10,
  currency: 'EUR',
};
const receivedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
const bytes = (value: unknown): Uint8Array =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const received = (subject: string, body: unknown, extra: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  subject,
  body: bytes(body),
  receivedAt,
  ...extra,
});

/** The ContractError parseEvent throws for `msg`; fails the test when it does not throw one. */
function refusal(msg: ReceivedMessage): ContractError {
  try {
    parseEvent(msg);
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('parseEvent accepted the message');
}
const codeOf = (msg: ReceivedMessage): ContractErrorCode => refusal(msg).code;

describe('parseEvent: CloudEvents', () => {
  it('a CloudEvent built by buildEvent round-trips unchanged', () => {
    const event = buildEvent('order.placed', placedData, { source: 'orders', time: new Date(Date.UTC(2026, 0, 1)) });
    expect(parseEvent(received('order.placed', event))).toEqual(event);
  });

  it('keeps the causation and correlation ids of a reaction', () => {
    const cause = buildEvent('order.placed', placedData, { source: 'orders' });
    const event = buildEvent(
      'payment.authorized',
      { orderId: 'o-1', amount: 10 },
      { source: 'payments', causedBy: cause },
    );
    expect(parseEvent(received('payment.authorized', event))).toMatchObject({
      causationid: cause.id,
      correlationid: 'o-1',
    });
  });

  it('accepts the body as a string as well as bytes', () => {
    const event = buildEvent('order.completed', { orderId: 'o-2' }, { source: 'orders' });
    expect(parseEvent({ subject: 'order.completed', body: JSON.stringify(event) })).toEqual(event);
  });

  it('a CloudEvent whose type differs from its subject is an invalid envelope', () => {
    const event = buildEvent('payment.authorized', { orderId: 'o-1' }, { source: 'payments' });
    expect(codeOf(received('payment.declined', event))).toBe('INVALID_ENVELOPE');
  });

  it('a CloudEvent without an id is an invalid envelope that names the field', () => {
    const withoutId: Partial<EventEnvelope> = buildEvent('order.placed', placedData, { source: 'orders' });
    delete withoutId.id;
    const error = refusal(received('order.placed', withoutId));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.issues.map((i) => i.path)).toContain('id');
  });

  it('a CloudEvent whose data breaks its schema is an invalid event, with field paths', () => {
    const event = buildEvent('order.placed', placedData, { source: 'orders' });
    const error = refusal(received('order.placed', { ...event, data: { ...placedData, currency: 'euro' } }));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.issues).toEqual([expect.objectContaining({ path: 'currency' })]);
  });
});

describe('parseEvent: bare JSON as `nats pub` sends it', () => {
  it('takes the type from the subject, the id from Nats-Msg-Id, and the time of receipt', () => {
    const event = parseEvent(received('order.placed', placedData, { msgId: 'm-42', streamSequence: 7 }));
    expect(event).toEqual({
      specversion: '1.0',
      id: 'm-42',
      source: 'external',
      type: 'order.placed',
      time: receivedAt.toISOString(),
      subject: 'o-1',
      datacontenttype: 'application/json',
      data: placedData,
      correlationid: 'o-1',
    });
  });

  it('without Nats-Msg-Id, the id is <subject>#<stream sequence>', () => {
    expect(parseEvent(received('order.placed', placedData, { streamSequence: 7 })).id).toBe('order.placed#7');
  });

  it('keeps fields it does not know, so newer publishers are not refused', () => {
    const event = parseEvent(received('order.placed', { ...placedData, giftWrap: true }, { streamSequence: 1 }));
    expect(event.data).toMatchObject({ giftWrap: true });
  });

  it('an unknown subject is an unknown event type', () => {
    expect(codeOf(received('order.exploded', { orderId: 'o-1' }, { streamSequence: 1 }))).toBe('UNKNOWN_EVENT_TYPE');
  });

  it('a data field that breaks the schema is an invalid event with the path of that field', () => {
    const bad = { ...placedData, items: [{ sku: 'A', qty: 0, unitPrice: 5 }] };
    const error = refusal(received('order.placed', bad, { streamSequence: 1 }));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.issues.map((i) => i.path)).toEqual(['items.0.qty']);
    expect(error.message).toContain('items.0.qty');
  });

  it('a missing orderId is an invalid event naming orderId', () => {
    const error = refusal(received('payment.authorized', { amount: 3 }, { streamSequence: 1 }));
    expect(error).toMatchObject({ code: 'INVALID_EVENT', issues: [expect.objectContaining({ path: 'orderId' })] });
  });
});

describe('parseEvent: refusals', () => {
  it('a body that is not JSON is malformed, and the JSON error is kept as the cause', () => {
    const error = refusal({ subject: 'order.placed', body: '{"orderId": "o-1",' });
    expect(error.code).toBe('MALFORMED_JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('an empty body is malformed', () => {
    expect(codeOf({ subject: 'order.placed', body: new Uint8Array() })).toBe('MALFORMED_JSON');
  });

  it.each([
    ['an array', [placedData]],
    ['a string', 'o-1'],
    ['a number', 42],
    ['null', null],
  ])('%s is not an event envelope', (_what, body) => {
    expect(codeOf({ subject: 'order.placed', body: JSON.stringify(body) })).toBe('INVALID_ENVELOPE');
  });

  it('a message over MAX_EVENT_BYTES is refused before it is parsed', () => {
    const oversized = `{${' '.repeat(MAX_EVENT_BYTES)}`; // not even JSON: parsing would say MALFORMED_JSON
    expect(codeOf({ subject: 'order.placed', body: oversized })).toBe('OVERSIZED_MESSAGE');
  });

  it('counts bytes, not characters', () => {
    const padding = 'é'.repeat(MAX_EVENT_BYTES / 2); // 2 bytes each in UTF-8
    const body = JSON.stringify({ ...placedData, note: padding });
    expect(body.length).toBeLessThan(MAX_EVENT_BYTES * 2);
    expect(codeOf({ subject: 'order.placed', body })).toBe('OVERSIZED_MESSAGE');
  });

  it('a message of exactly MAX_EVENT_BYTES is still read', () => {
    const base = JSON.stringify({ ...placedData, note: '' });
    const body = JSON.stringify({ ...placedData, note: 'x'.repeat(MAX_EVENT_BYTES - base.length) });
    expect(Buffer.byteLength(body)).toBe(MAX_EVENT_BYTES);
    expect(parseEvent({ subject: 'order.placed', body, streamSequence: 1 }).data).toMatchObject({ orderId: 'o-1' });
  });

  it('JSON nested deeper than MAX_JSON_DEPTH is refused, in a field no schema names (found by the chaos fuzz)', () => {
    const depth = 20_000; // ~40 KB: passes every loose schema, but JSON.stringify of it overflows the stack
    const body = `{"orderId":"o-1","note":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(codeOf({ subject: 'payment.authorized', body, streamSequence: 1 })).toBe('NESTED_TOO_DEEP');
    const nested = (levels: number): unknown => (levels === 0 ? 'x' : { a: nested(levels - 1) });
    expect(
      codeOf({ subject: 'payment.authorized', body: JSON.stringify({ orderId: 'o-1', note: nested(MAX_JSON_DEPTH) }) }),
    ).toBe('NESTED_TOO_DEEP');
    expect(
      parseEvent({
        subject: 'payment.authorized',
        body: JSON.stringify({ orderId: 'o-1', note: nested(MAX_JSON_DEPTH - 2) }),
        streamSequence: 1,
      }).data.orderId,
    ).toBe('o-1');
  });

  it('serialises to its stable code, message and issues, for a dead letter or a reply', () => {
    const error = refusal(received('order.placed', { orderId: 'o-1' }, { streamSequence: 1 }));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'INVALID_EVENT',
      message: error.message,
      issues: error.issues,
    });
  });
});

describe('isPlainCloudEvent: the fast check never passes what the schema refuses', () => {
  const event = buildEvent('order.placed', placedData, { source: 'orders' }) as unknown as Record<string, unknown>;
  const oddValues: unknown[] = [
    undefined,
    null,
    '',
    ' ',
    'x',
    'x'.repeat(256),
    'x'.repeat(257),
    '1.0',
    '1.1',
    1,
    0,
    true,
    {},
    [],
    ['1.0'],
    '2026-01-02T03:04:05Z',
    '2026-01-02T03:04:05.123Z',
    '2026-01-02T03:04:05+01:00',
    '2026-01-02T03:04:05+24:00',
    '2026-01-02T03:04Z',
    '2026-02-30T03:04:05Z',
    '2024-02-29T03:04:05Z',
    '2026-01-02 03:04:05Z',
    '2026-01-02T03:04:05',
    '2026-01-02T03:04:05Z\n',
    'application/json',
  ];
  const fields = [
    'specversion',
    'id',
    'source',
    'type',
    'time',
    'subject',
    'datacontenttype',
    'data',
    'correlationid',
    'causationid',
    'extension',
  ];

  it('a built event passes both', () => {
    expect(isPlainCloudEvent(event)).toBe(true);
    expect(CloudEventSchema.safeParse(event).success).toBe(true);
  });

  it.each(fields)('with %s set to each odd value (or left out), it passes only when zod does', (field) => {
    let passed = 0;
    for (const value of oddValues) {
      const candidate: Record<string, unknown> = { ...event, [field]: value };
      if (value === undefined) delete candidate[field];
      const fast = isPlainCloudEvent(candidate);
      if (fast) passed++;
      expect({ field, value, fast, zod: fast && CloudEventSchema.safeParse(candidate).success }).toEqual({
        field,
        value,
        fast,
        zod: fast,
      });
    }
    // Each field has values the fast check vouches for (so the case checks something).
    expect(passed).toBeGreaterThan(0);
  });
});
