import { parseEvent, ContractError, OrderPlacedSchema } from '@flowscope/contracts';
import { planOrder, poisonFor, ScenarioSpread, styleFor, totalOf } from './order-plan';
import type { Scenario } from './load-options';

function counts<T extends string>(values: T[]): Record<string, number> {
  return values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
}

describe('ScenarioSpread', () => {
  it('gives each scenario its share exactly over a whole cycle, spread out', () => {
    const spread = new ScenarioSpread({ happy: 7, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 });
    const first10 = Array.from({ length: 10 }, () => spread.next());
    expect(counts(first10)).toEqual({ happy: 7, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 });
    expect(first10.slice(0, 2)).not.toEqual(['decline', 'out-of-stock']);
  });

  it('never picks a scenario of weight 0', () => {
    const spread = new ScenarioSpread({ happy: 0, decline: 1, 'out-of-stock': 0, 'shipping-failure': 0 });
    expect(new Set(Array.from({ length: 20 }, () => spread.next()))).toEqual(new Set(['decline']));
  });
});

describe('styleFor', () => {
  it.each([
    [0, 0],
    [0.5, 10],
    [0.25, 5],
    [1, 20],
  ])('share %d of 20 orders → %d orchestrated', (share, expected) => {
    const styles = Array.from({ length: 20 }, (_, n) => styleFor(n, share));
    expect(styles.filter((s) => s === 'orchestration')).toHaveLength(expected);
  });

  it('alternates at one half', () => {
    expect([0, 1, 2, 3].map((n) => styleFor(n, 0.5))).toEqual([
      'choreography',
      'orchestration',
      'choreography',
      'orchestration',
    ]);
  });
});

describe('planOrder', () => {
  const asks: [Scenario, Record<string, unknown>][] = [
    ['happy', { destination: 'DE' }],
    ['decline', { customerId: expect.stringMatching(/^decline/) }],
    ['shipping-failure', { destination: 'AQ' }],
  ];

  it.each(asks)('%s asks the deterministic rules for its outcome', (scenario, shape) => {
    expect(planOrder('lg-1', 3, scenario, 'choreography')).toMatchObject({ orderId: 'lg-1-3', scenario, ...shape });
  });

  it('out of stock carries an OOS- sku', () => {
    expect(planOrder('lg-1', 4, 'out-of-stock', 'orchestration').items.map((i) => i.sku)).toContainEqual(
      expect.stringMatching(/^OOS-/),
    );
  });

  it('a happy order stays under the payment limit and keeps clear of the failure prefixes', () => {
    for (let n = 0; n < 60; n++) {
      const order = planOrder('lg-1', n, 'happy', 'choreography');
      expect(totalOf(order.items)).toBeLessThanOrEqual(10_000);
      expect(order.customerId.startsWith('decline')).toBe(false);
      expect(order.items.some((i) => i.sku.startsWith('OOS-'))).toBe(false);
    }
  });

  it('is a valid order.placed', () => {
    const order = planOrder('lg-1', 5, 'out-of-stock', 'orchestration');
    expect(OrderPlacedSchema.safeParse({ ...order, total: totalOf(order.items) }).success).toBe(true);
  });
});

describe('poisonFor', () => {
  it.each([
    [0, 'not-json', 'MALFORMED_JSON'],
    [1, 'missing-fields', 'INVALID_EVENT'],
    [2, 'wrong-types', 'INVALID_EVENT'],
  ])('publication %d is %s, which consumers refuse with %s', (n, kind, code) => {
    const poison = poisonFor('lg-1', n);
    expect(poison.kind).toBe(kind);
    const parse = () => parseEvent({ subject: 'order.placed', body: poison.body, msgId: poison.msgId });
    expect(parse).toThrow(ContractError);
    expect(() => parse()).toThrow(expect.objectContaining({ code }) as Error);
  });
});
