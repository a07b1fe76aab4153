import type { FlowDefinition } from '@flowscope/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { recordEvents, type FlowInstance } from '../flow-instance';
import type { FlowStore } from '../store/flow-store';
import { FlowsController } from './flows.controller';

const def = parse(
  readFileSync(path.join(__dirname, '../../../flows/order-fulfillment.yaml'), 'utf8'),
) as FlowDefinition;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

/** A flow started at `start` seconds with the given event types, one second apart. */
function flow(key: string, start: number, types: string[]): FlowInstance {
  const events = types.map((type, i) => ({ id: `${key}-${i}`, type, at: at(start + i) }));
  return recordEvents(undefined, def, key, events, undefined, new Date(t0))!;
}

function controller(flows: FlowInstance[]): FlowsController {
  const store = { all: () => flows.values() } as unknown as FlowStore;
  return new FlowsController(store, new DefinitionRegistry([def]));
}

const completed = ['order.placed', 'payment.authorized', 'stock.reserved', 'shipment.scheduled', 'order.completed'];

describe('GET /flows', () => {
  // Inserted oldest first, the way the store fills: the worst case for keeping the newest page.
  const flows = Array.from({ length: 25 }, (_, i) =>
    flow(`o-${String(i).padStart(2, '0')}`, i * 10, i % 3 === 0 ? completed : ['order.placed']),
  );

  it('pages newest first through every flow, each exactly once', () => {
    const api = controller(flows);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = api.list({ limit: '4', ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((f) => f.key));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toEqual(flows.map((f) => f.key).reverse());
  });

  it('filters by status, counting a flow past its SLA as stalled although its stored status is running', () => {
    const api = controller(flows);
    // With the clock long past every SLA, the open flows are stalled now.
    jest.useFakeTimers({ now: t0 + 3_600_000 });
    try {
      const stalled = api.list({ status: 'stalled', limit: '1000' }).items.map((f) => f.key);
      const done = api.list({ status: 'completed', limit: '1000' }).items.map((f) => f.key);
      expect(stalled).toEqual(
        flows
          .filter((_, i) => i % 3 !== 0)
          .map((f) => f.key)
          .reverse(),
      );
      expect(done).toEqual(
        flows
          .filter((_, i) => i % 3 === 0)
          .map((f) => f.key)
          .reverse(),
      );
      expect(api.list({ status: 'running', limit: '1000' }).items).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a bad limit, status or cursor with 400', () => {
    const api = controller(flows);
    for (const query of [{ limit: '0' }, { limit: 'x' }, { status: 'done' }, { cursor: 'bm9wZQ' }]) {
      expect(() => api.list(query)).toThrow(expect.objectContaining({ status: 400 }) as Error);
    }
  });
});
