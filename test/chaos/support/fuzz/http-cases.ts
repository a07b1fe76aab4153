// Generated bad requests for the orders API: each must get a 4xx with a JSON body (never a 5xx, never
// a hang); the few valid ones among them (unicode everywhere a string may hold it) are placed.
import { Rng, unicodeHeavy, unicodeWellFormed } from './random';

export const HTTP_KINDS = [
  'malformed-json',
  'wrong-type',
  'missing-field',
  'unknown-field',
  'unicode',
  'content-type',
  'oversized',
  'odd-get',
  'wrong-method',
] as const;
export type HttpKind = (typeof HTTP_KINDS)[number] | 'unicode-valid' | 'duplicate';

export interface HttpCase {
  kind: HttpKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** `refused`: a 4xx with a JSON body; `created`: 201 and an order that then ends; `conflict`: 409. */
  expect: 'refused' | 'created' | 'conflict';
}

const JSON_TYPE = { 'content-type': 'application/json' };

export function validOrder(orderId?: string): Record<string, unknown> {
  return { ...(orderId ? { orderId } : {}), customerId: 'c-fuzz', items: [{ sku: 'FUZZ-1', qty: 1, unitPrice: 3 }] };
}

function post(
  kind: HttpKind,
  body: string | Buffer,
  headers: Record<string, string> = JSON_TYPE,
  expect: HttpCase['expect'] = 'refused',
): HttpCase {
  return { kind, method: 'POST', path: '/orders', headers, body, expect };
}

function broken(rng: Rng): Record<string, unknown> {
  const order = validOrder(rng.chance(0.5) ? `fuzz-http-${rng.hex(8)}` : undefined);
  rng.pick<() => void>([
    () => (order.customerId = rng.pick([1, null, '', 'c'.repeat(129), ['c']])),
    () =>
      (order.items = rng.pick([
        'FUZZ-1',
        [],
        {},
        [{ sku: 'A', qty: 0, unitPrice: 1 }],
        [{ sku: 'A', qty: 1, unitPrice: -1 }],
        [{ sku: 'A', qty: 1e6, unitPrice: 1 }],
      ])),
    () => (order.currency = rng.pick(['eur', 'E', 49])),
    () => (order.destination = rng.pick(['Germany', 'de', 1])),
    () => (order.style = rng.pick(['saga', true])),
    () => (order.orderId = rng.pick(['has space', 'a/b', 7, ''])),
  ])();
  return order;
}

/** One request of `kind`. */
export function badRequest(rng: Rng, kind: (typeof HTTP_KINDS)[number]): HttpCase {
  const text = JSON.stringify(validOrder());
  switch (kind) {
    case 'malformed-json':
      return post(
        kind,
        rng.pick([
          text.slice(0, rng.int(1, text.length - 1)),
          `${text}}`,
          "{'customerId':'c'}",
          '{"items":[1,2,',
          'nul',
          '"just a string"',
          '123',
          '\u0000',
        ]),
      );
    case 'wrong-type':
      return post(kind, JSON.stringify(broken(rng)));
    case 'missing-field': {
      const order = validOrder();
      delete order[rng.pick(['customerId', 'items'])];
      return post(kind, JSON.stringify(rng.chance(0.2) ? {} : order));
    }
    case 'unknown-field':
      return post(
        kind,
        JSON.stringify({
          ...validOrder(),
          [rng.pick(['email', 'address', '__proto__', 'constructor', 'total'])]: rng.pick(['x', { polluted: true }, 1]),
        }),
      );
    case 'unicode':
      return post(
        kind,
        JSON.stringify({
          ...validOrder(`o-${unicodeHeavy(rng, 2)}`),
          currency: rng.chance(0.5) ? 'EUR' : unicodeHeavy(rng, 1),
        }),
      );
    case 'content-type':
      return post(
        kind,
        rng.chance(0.5) ? text : 'customerId=c&items=1',
        rng.pick<Record<string, string>>([
          { 'content-type': 'text/plain' },
          { 'content-type': 'application/x-www-form-urlencoded' },
          { 'content-type': 'multipart/form-data; boundary=x' },
          { 'content-type': 'application/json; charset=utf-16' },
          { 'content-type': 'application/json; charset=latin1' },
          { 'content-type': 'application/xml' },
          {},
          { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          { 'content-type': unicodeWellFormed(rng, 1).replace(/[^\x20-\x7e]/g, '?') },
        ]),
      );
    case 'oversized': {
      const size = rng.pick([70_000, 99_000, 150_000, 1_000_000, 3_000_000]);
      return post(kind, JSON.stringify({ ...validOrder(), customerId: 'c'.repeat(size) }));
    }
    case 'odd-get':
      return {
        kind,
        method: 'GET',
        headers: {},
        expect: 'refused',
        path: `/orders/${rng.pick([
          encodeURIComponent(unicodeWellFormed(rng, 3)),
          '%00',
          'a'.repeat(rng.int(129, 6000)),
          '%E0%A4%A',
          '%',
          '..%2F..%2Fetc%2Fpasswd',
          encodeURIComponent('<script>alert(1)</script>'),
          `fuzz-unknown-${rng.hex(6)}`,
          '%F0%9F%98',
          '%C0%AE%C0%AE',
        ])}`,
      };
    case 'wrong-method':
      return {
        kind,
        method: rng.pick(['PUT', 'DELETE', 'PATCH']),
        path: rng.pick(['/orders', '/orders/x', '/flows']),
        headers: JSON_TYPE,
        body: text,
        expect: 'refused',
      };
  }
}

/** A valid order whose strings are unicode-heavy (RTL, emoji, NUL, lone surrogates): it must be placed and end. */
export function unicodeOrder(rng: Rng): HttpCase {
  const body = {
    customerId: unicodeHeavy(rng, 3).slice(0, 128),
    items: [{ sku: unicodeHeavy(rng, 2).slice(0, 64), qty: rng.int(1, 3), unitPrice: rng.int(1, 50) }],
    style: rng.pick(['choreography', 'orchestration']),
  };
  return post('unicode-valid', JSON.stringify(body), JSON_TYPE, 'created');
}
