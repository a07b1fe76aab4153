import type { FlowDefinition } from '@flowscope/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { evaluateFlow, type SeenEvent } from './evaluate-flow';

const def = parse(
  readFileSync(path.join(__dirname, '../../../flows/order-fulfillment.yaml'), 'utf8'),
) as FlowDefinition;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const seq = (...types: string[]): SeenEvent[] =>
  types.map((type, i) => ({ type, at: new Date(t0 + i * 1000).toISOString() }));
const soon = new Date(t0 + 10_000);

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const scenarios: [string, SeenEvent[], string][] = [
  [
    'completed',
    seq(
      'order.placed',
      'payment.authorized',
      'stock.reserved',
      'shipment.scheduled',
      'order.completed',
      'customer.notified',
    ),
    'completed',
  ],
  ['payment declined', seq('order.placed', 'payment.declined', 'order.cancelled', 'customer.notified'), 'failed'],
  [
    'out of stock',
    seq(
      'order.placed',
      'payment.authorized',
      'stock.unavailable',
      'payment.refunded',
      'order.cancelled',
      'customer.notified',
    ),
    'compensated',
  ],
  [
    'shipping failed',
    seq(
      'order.placed',
      'payment.authorized',
      'stock.reserved',
      'shipment.failed',
      'stock.released',
      'payment.refunded',
      'order.cancelled',
    ),
    'compensated',
  ],
  [
    'shipping failed, refund missing',
    seq('order.placed', 'payment.authorized', 'stock.reserved', 'shipment.failed', 'stock.released', 'order.cancelled'),
    'compensating',
  ],
  ['half way', seq('order.placed', 'payment.authorized', 'stock.reserved'), 'running'],
];

describe('evaluateFlow', () => {
  it.each(scenarios)('%s: every arrival order of the events gives one status', (_name, events, expected) => {
    const statuses = new Set(permutations(events).map((p) => evaluateFlow(def, p, soon).status));
    expect([...statuses]).toEqual([expected]);
  });

  it('a duplicate changes nothing', () => {
    const events = scenarios[0][1];
    expect(evaluateFlow(def, [...events, ...events], soon)).toEqual(evaluateFlow(def, events, soon));
  });

  it('a completed flow ends when its last required step is done, not at the optional notification', () => {
    const result = evaluateFlow(def, scenarios[0][1], soon);
    expect(result.endedAt).toBe(new Date(t0 + 4000).toISOString());
    expect(result.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
  });

  it('a compensated flow ends when its last compensation arrives; steps say which failed and which were compensated', () => {
    const oos = evaluateFlow(def, scenarios[2][1], soon);
    expect(oos.endedAt).toBe(new Date(t0 + 3000).toISOString()); // payment.refunded, the 4th event
    expect(oos.steps.slice(0, 3).map((s) => s.status)).toEqual(['done', 'compensated', 'failed']);
  });

  it('an incomplete flow is stalled after its timeout, and completed once the missing events arrive', () => {
    const partial = seq('order.placed', 'payment.authorized');
    const late = new Date(t0 + def.timeoutMs + 1);
    expect(evaluateFlow(def, partial, late).status).toBe('stalled');
    expect(evaluateFlow(def, partial, soon).status).toBe('running');
    const rest = seq(
      'order.placed',
      'payment.authorized',
      'stock.reserved',
      'shipment.scheduled',
      'order.completed',
    ).slice(2);
    expect(evaluateFlow(def, [...partial, ...rest], late).status).toBe('completed');
  });

  it('events may come before order.placed', () => {
    expect(evaluateFlow(def, seq('payment.authorized'), soon).steps[0].status).toBe('pending');
  });

  it('FLOW_TIMEOUT_MS-style override shortens the SLA', () => {
    expect(evaluateFlow(def, seq('order.placed'), soon, 5000).status).toBe('stalled');
  });
});
