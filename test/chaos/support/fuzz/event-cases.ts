// Generated bad input for the event subjects: every kind of message a consumer must refuse (with
// the reason code it must give), bare and as CloudEvents, each labelled with what must become of it.
import { eventTypes, MAX_EVENT_BYTES, type ContractErrorCode, type EventType } from '@flowscope/contracts';
import { Rng, unicodeHeavy, unicodeWellFormed } from './random';

export const EVENT_KINDS = [
  'malformed-json',
  'oversized',
  'not-an-object',
  'bad-cloudevent',
  'wrong-type',
  'missing-field',
  'unicode',
  'unknown-type',
  'deep-nesting',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number] | 'duplicate-msg-id' | 'duplicate-event-id' | 'orphan';

/** What every consumer of the subject must make of a message. */
export type EventExpectation =
  /** Terminated at the first delivery and dead-lettered with this code by every consumer. */
  | { refused: ContractErrorCode }
  /** A copy of a handled event: JetStream drops it (`stream`), or the consumers ack it as a duplicate. */
  | { duplicate: 'stream' | 'consumers' }
  /** Valid, but its handler cannot succeed: these services retry, then dead-letter it as MAX_DELIVERIES. */
  | { maxDeliveries: string[] };

export interface EventCase {
  kind: EventKind;
  envelope: 'bare' | 'cloudevent';
  subject: string;
  body: Uint8Array;
  headers?: Record<string, string>;
  /** Nats-Msg-Id, set only where JetStream's dedupe is the point. */
  msgId?: string;
  expect: EventExpectation;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Minimal valid data of an event type for `orderId`. */
export function validData(type: string, orderId: string): Record<string, unknown> {
  if (type === 'order.placed')
    return {
      orderId,
      customerId: 'c-fuzz',
      items: [{ sku: 'FUZZ-1', qty: 1, unitPrice: 1 }],
      total: 1,
      currency: 'EUR',
    };
  if (type === 'customer.notified') return { orderId, channel: 'email', template: 'order-completed' };
  return { orderId };
}

function cloudEvent(
  rng: Rng,
  type: string,
  data: unknown,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `fuzz-${rng.hex(16)}`,
    source: 'fuzz',
    type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    ...overrides,
  };
}

/** Data that breaks its schema by a wrong type, whatever the event type (orderId and style are in every schema). */
function wrongTypeData(rng: Rng, type: string, orderId: string): Record<string, unknown> {
  const data = validData(type, orderId);
  const breakers: (() => void)[] = [
    () => (data.orderId = rng.pick([42, true, null, ['o-1'], { id: 'o-1' }, ''])),
    () => (data.style = rng.pick(['sideways', 7, '', 'CHOREOGRAPHY', null])),
    () => (data.orderId = 'x'.repeat(rng.int(129, 600))),
  ];
  if (type === 'order.placed') {
    breakers.push(
      () =>
        (data.items = rng.pick([
          'FUZZ-1',
          [],
          [{ sku: 'A', qty: -1, unitPrice: 1 }],
          [{ sku: 'A', qty: 1.5, unitPrice: 1 }],
          [{ sku: 'A', qty: '1', unitPrice: 1 }],
        ])),
      () => (data.total = rng.pick(['12', -1, null, {}])),
      () => (data.currency = rng.pick(['eur', 'EURO', 1, '€'])),
    );
  }
  if (type === 'customer.notified') breakers.push(() => (data.channel = rng.pick([1, '', 'x'.repeat(40)])));
  if (type.startsWith('payment.')) breakers.push(() => (data.amount = rng.pick([-5, '10', Number.MAX_VALUE * -1])));
  rng.pick(breakers)();
  return data;
}

function missingFieldData(rng: Rng, type: string, orderId: string): Record<string, unknown> {
  const data = validData(type, orderId);
  const required =
    type === 'order.placed'
      ? ['orderId', 'customerId', 'items', 'total', 'currency']
      : type === 'customer.notified'
        ? ['orderId', 'channel', 'template']
        : ['orderId'];
  delete data[rng.pick(required)];
  return data;
}

/** An orderId no schema accepts: unicode-heavy, with RTL, emoji, NUL or lone surrogates. */
function unicodeData(rng: Rng, type: string): Record<string, unknown> {
  const data = validData(type, `o-${unicodeHeavy(rng, rng.int(1, 4))}`);
  data.reason = unicodeHeavy(rng, 8);
  data[unicodeWellFormed(rng, 2)] = unicodeHeavy(rng, 3); // an unknown key: schemas are loose, the orderId refuses it
  return data;
}

/** A proper prefix of a JSON object's text is never JSON; nor is text starting with these. */
function malformedText(rng: Rng, type: string, orderId: string): string {
  const text = JSON.stringify(
    rng.chance(0.5) ? validData(type, orderId) : cloudEvent(rng, type, validData(type, orderId)),
  );
  return rng.pick([
    () => text.slice(0, rng.int(1, text.length - 1)),
    () => `${text.slice(0, -1)},}`,
    () => text.replace(/"/g, "'"),
    () => `'${unicodeHeavy(rng, 3)}`,
    () => '',
    () => `<xml>${text}</xml>`,
    () => `${text}${text}`,
    () => `{"orderId": ${orderId}}`,
    () => '\u0000\u0000\u0000',
    () => '{"a":' + '['.repeat(rng.int(10, 5000)),
  ])();
}

function notAnObject(rng: Rng): string {
  return rng.pick(['[]', '[{"orderId":"o-1"}]', '1', '-0.5e10', '"order"', 'null', 'true', `"${'a'.repeat(100)}"`]);
}

function badCloudEvent(rng: Rng, type: string, orderId: string): Record<string, unknown> {
  const data = validData(type, orderId);
  return cloudEvent(
    rng,
    type,
    data,
    rng.pick<Record<string, unknown>>([
      { specversion: '2.0' },
      { specversion: 1 },
      { id: '' },
      { id: 42 },
      { id: 'i'.repeat(300) },
      { source: '' },
      { type: rng.pick(eventTypes.filter((t) => t !== type)) },
      { type: `${type}.v2` },
      { time: 'yesterday' },
      { time: 17 },
      { subject: 's'.repeat(300) },
      { correlationid: { id: 1 } },
    ]),
  );
}

/** Pads a valid event past MAX_EVENT_BYTES (up to four times over). */
function oversized(rng: Rng, type: string, orderId: string, envelope: 'bare' | 'cloudevent'): string {
  const data = { ...validData(type, orderId), padding: '' };
  const target = rng.int(MAX_EVENT_BYTES + 1, MAX_EVENT_BYTES * 4);
  const filler = rng.chance(0.5) ? 'x' : '🙂';
  const base = JSON.stringify(envelope === 'bare' ? data : cloudEvent(rng, type, data));
  data.padding = filler.repeat(Math.ceil((target - Buffer.byteLength(base)) / Buffer.byteLength(filler)) + 1);
  return JSON.stringify(envelope === 'bare' ? data : cloudEvent(rng, type, data));
}

/** Junk a publisher may add: a broken traceparent, odd header names; never what makes the verdict. */
function junkHeaders(rng: Rng): Record<string, string> | undefined {
  if (!rng.chance(0.2)) return undefined;
  return rng.pick<Record<string, string>>([
    { traceparent: '00-zzzz-yyyy-01' },
    { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` },
    { 'X-Fuzz': rng.hex(40), tracestate: '=,=,=' },
  ]);
}

/** One bad event message of `kind` on a known event subject (or an unknown one for `unknown-type`). */
export function badEvent(rng: Rng, kind: (typeof EVENT_KINDS)[number], n: number): EventCase {
  const type: EventType = rng.pick(eventTypes);
  const orderId = `fuzz-${n}`;
  const envelope = rng.chance(0.5) ? 'bare' : 'cloudevent';
  const wrap = (data: Record<string, unknown>): string =>
    JSON.stringify(envelope === 'bare' ? data : cloudEvent(rng, type, data));
  const made = (
    subject: string,
    text: string,
    code: ContractErrorCode,
    as: 'bare' | 'cloudevent' = envelope,
  ): EventCase => ({
    kind,
    envelope: as,
    subject,
    body: utf8(text),
    headers: junkHeaders(rng),
    expect: { refused: code },
  });
  switch (kind) {
    case 'malformed-json': {
      const c = made(type, malformedText(rng, type, orderId), 'MALFORMED_JSON');
      if (rng.chance(0.1)) c.body = new Uint8Array([0xff, 0xfe, 0x7b, 0x80, 0xc0, 0xaf]); // not UTF-8 at all
      return c;
    }
    case 'oversized':
      return made(type, oversized(rng, type, orderId, envelope), 'OVERSIZED_MESSAGE');
    case 'not-an-object':
      return made(type, notAnObject(rng), 'INVALID_ENVELOPE', 'bare');
    case 'bad-cloudevent':
      return made(type, JSON.stringify(badCloudEvent(rng, type, orderId)), 'INVALID_ENVELOPE', 'cloudevent');
    case 'wrong-type':
      return made(type, wrap(wrongTypeData(rng, type, orderId)), 'INVALID_EVENT');
    case 'missing-field':
      return made(type, wrap(missingFieldData(rng, type, orderId)), 'INVALID_EVENT');
    case 'unicode':
      return made(type, wrap(unicodeData(rng, type)), 'INVALID_EVENT');
    case 'deep-nesting': {
      // Valid data plus an unknown field nested thousands deep: every loose schema lets it through.
      const open = rng.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
      const depth = rng.int(33, 10_000); // at most 6 bytes a level: stays under MAX_EVENT_BYTES
      const text = wrap(validData(type, orderId)).replace(
        /\}$/,
        `,"fuzz":${open[0].repeat(depth)}${open[0] === '[' ? '' : '1'}${open[1].repeat(depth)}}`,
      );
      return made(type, text, 'NESTED_TOO_DEEP');
    }
    case 'unknown-type': {
      const subject = `${type.split('.')[0]}.${rng.pick(['exploded', 'teleported', 'v2', 'x'])}${rng.chance(0.3) ? `.${rng.hex(4)}` : ''}`;
      return {
        ...made(
          subject,
          JSON.stringify(
            envelope === 'bare' ? validData(type, orderId) : cloudEvent(rng, subject, validData(type, orderId)),
          ),
          'UNKNOWN_EVENT_TYPE',
        ),
      };
    }
  }
}
