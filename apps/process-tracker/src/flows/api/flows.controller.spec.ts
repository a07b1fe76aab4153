import type { FlowDefinition } from '@flowscope/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DefinitionRegistry } from '../definitions/definition-registry';
import type { TrackerConfig } from '../../config';
import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import type { PartitionLeases } from '../partitions/partition-leases';
import { FlowState } from '../state/flow-state';
import { FlowTable } from '../state/flow-table';
import { FlowReader } from './flow-reader';
import { FlowsController } from './flows.controller';
import type { PeerLists } from './peer-lists';

const def = parse(
  readFileSync(path.join(__dirname, '../../../flows/order-fulfillment.yaml'), 'utf8'),
) as FlowDefinition;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

/** A flow started at `start` seconds with the given event types, one second apart. */
function flow(key: string, start: number, types: string[]): FlowState {
  const state = FlowState.create(def.name, key);
  types.forEach((type, i) => state.apply(def, { id: `${key}-${i}`, type, at: at(start + i) }, undefined, new Date(t0)));
  return state;
}

/** The API over one replica's table (no peers, no store behind it). */
function controller(flows: FlowState[]): FlowsController {
  const table = new FlowTable({ TRACKER_PARTITIONS: 4, RECENT_ENDED_FLOWS: 100 } as TrackerConfig);
  for (const f of flows) table.add(`${f.definition}.${f.key}`, f);
  const registry = new DefinitionRegistry([def]);
  const leases = { replica: 'r-1', peers: () => [] } as unknown as PartitionLeases;
  const peers = { ask: () => Promise.resolve([]) } as unknown as PeerLists;
  const store = { getFlow: () => Promise.resolve(undefined) } as unknown as CheckpointStore;
  return new FlowsController(new FlowReader(table, store, registry, leases, peers), registry);
}

const completed = ['order.placed', 'payment.authorized', 'stock.reserved', 'shipment.scheduled', 'order.completed'];

describe('GET /flows', () => {
  // Inserted oldest first, the way the store fills: the worst case for keeping the newest page.
  const flows = Array.from({ length: 25 }, (_, i) =>
    flow(`o-${String(i).padStart(2, '0')}`, i * 10, i % 3 === 0 ? completed : ['order.placed']),
  );

  it('pages newest first through every flow, each exactly once', async () => {
    const api = controller(flows);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.list({ limit: '4', ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((f) => f.key));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toEqual(flows.map((f) => f.key).reverse());
  });

  it('filters by status, counting a flow past its SLA as stalled although its stored status is running', async () => {
    const api = controller(flows);
    // With the clock long past every SLA, the open flows are stalled now.
    jest.useFakeTimers({ now: t0 + 3_600_000 });
    try {
      const stalled = (await api.list({ status: 'stalled', limit: '1000' })).items.map((f) => f.key);
      const done = (await api.list({ status: 'completed', limit: '1000' })).items.map((f) => f.key);
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
      expect((await api.list({ status: 'running', limit: '1000' })).items).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a bad limit, status or cursor with 400', async () => {
    const api = controller(flows);
    for (const query of [{ limit: '0' }, { limit: 'x' }, { status: 'done' }, { cursor: 'bm9wZQ' }]) {
      await expect(api.list(query)).rejects.toEqual(expect.objectContaining({ status: 400 }));
    }
  });
});
