// Helpers for the process tracker's e2e tests: generated flows, a tracker process of one's own,
// and reading every flow back through the API.
import { buildEvent, type EventData, type EventType, type FlowDefinition } from '@flowscope/contracts';
import { evaluateFlow } from '../../apps/process-tracker/src/flows/evaluation/evaluate-flow';
import { httpJson, waitFor } from '../../deploy/launch/probe';
import { AppProcess } from '../../deploy/launch/apps';
import { natsClientEnv, type NatsEndpoint } from '../../deploy/launch/nats-auth';
import { freePort } from '../../deploy/launch/ports';
import type { JetStreamManager } from 'nats';

export const SCENARIOS: Record<string, EventType[]> = {
  completed: [
    'order.placed',
    'payment.authorized',
    'stock.reserved',
    'shipment.scheduled',
    'order.completed',
    'customer.notified',
  ],
  failed: ['order.placed', 'payment.declined', 'order.cancelled', 'customer.notified'],
  compensatedStock: [
    'order.placed',
    'payment.authorized',
    'stock.unavailable',
    'payment.refunded',
    'order.cancelled',
    'customer.notified',
  ],
  compensatedShipment: [
    'order.placed',
    'payment.authorized',
    'stock.reserved',
    'shipment.failed',
    'stock.released',
    'payment.refunded',
    'order.cancelled',
    'customer.notified',
  ],
  stuck: ['order.placed', 'payment.authorized'],
};

/** The data an event of `type` needs for order `orderId` (minimal, valid). */
export function dataFor(type: EventType, orderId: string): EventData<EventType> {
  if (type === 'order.placed')
    return { orderId, customerId: 'c-gen', items: [{ sku: 'GEN-1', qty: 1, unitPrice: 1 }], total: 1, currency: 'EUR' };
  if (type === 'customer.notified') return { orderId, channel: 'email', template: 'order-completed' };
  return { orderId };
}

/** The CloudEvents of one scenario for `orderId`, one second apart from `start`. */
export function flowEvents(orderId: string, types: EventType[], start: number) {
  return types.map((type, i) =>
    buildEvent(type, dataFor(type, orderId), { source: 'test', time: new Date(start + i * 1000) }),
  );
}

/** Fisher–Yates with a seeded generator, so a failing run can be replayed. */
export function shuffle<T>(items: T[], seed = 42): T[] {
  const out = [...items];
  let s = seed;
  const next = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A tracker process of the test's own (its port, its env), on the system's NATS. */
export async function startTracker(
  nats: string | NatsEndpoint,
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
): Promise<AppProcess> {
  const server = typeof nats === 'string' ? { url: nats } : nats;
  const credentials = natsClientEnv(server.users?.['process-tracker']);
  const tracker = new AppProcess('process-tracker', {
    natsUrl: server.url,
    httpPort: await freePort(),
    env: { LOG_LEVEL: 'warn', ...credentials, ...env },
    nodeArgs,
  });
  await tracker.start();
  return tracker;
}

export interface FlowBody {
  key: string;
  status: string;
  style: string;
  duplicates: number;
  events: { id: string; type: string; traceId: string | null }[];
  steps: { name: string; status: string; at?: string }[];
  traceIds: string[];
  durationMs: number | null;
  endedAt: string | null;
}

export async function getFlow(tracker: AppProcess, key: string, definition = 'order-fulfillment') {
  return httpJson<FlowBody>(`${tracker.url}/flows/${definition}/${key}`);
}

/** Every flow of a definition, through the paged list. */
export async function allFlows(tracker: AppProcess, definition = 'order-fulfillment'): Promise<FlowBody[]> {
  const out: FlowBody[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `definition=${definition}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await httpJson<{ items: FlowBody[]; next: string | null }>(`${tracker.url}/flows?${query}`);
    if (page.status !== 200) throw new Error(`GET /flows?${query}: ${page.status} ${JSON.stringify(page.body)}`);
    out.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return out;
}

/** What `GET /partitions` answers (apps/process-tracker/src/flows/api/partitions.controller.ts). */
export interface PartitionsBody {
  replica: string;
  owned: number[];
  partitions: { partition: number; owner: string | null; position: number; checkpointedAt: string | null }[];
}

export async function partitionsOf(tracker: AppProcess): Promise<PartitionsBody> {
  const res = await httpJson<PartitionsBody>(`${tracker.url}/partitions`);
  if (res.status !== 200) throw new Error(`GET /partitions: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * The trackers have checkpointed everything in EVENTS: every partition has an owner and a
 * checkpoint position at the stream's last sequence (positions advance for all of a replica's
 * partitions as it reads, whatever events each one holds).
 */
export function waitForTrackerDrained(tracker: AppProcess, jsm: JetStreamManager, timeoutMs: number): Promise<true> {
  return waitFor(
    async () => {
      const last = (await jsm.streams.info('EVENTS')).state.last_seq;
      const { partitions } = await partitionsOf(tracker);
      return partitions.every((p) => p.owner !== null && p.position >= last) || undefined;
    },
    { timeoutMs, intervalMs: 250, what: 'the tracker to checkpoint every event' },
  );
}

/** A published flow: its key and its CloudEvents (as `flowEvents` gives them). */
export interface PublishedFlow {
  key: string;
  events: { id: string; type: string; time: string }[];
}

/** A flow the tracker shows otherwise than its published events define (`actual` undefined: not found). */
export interface FlowMismatch {
  key: string;
  expected: { status: string; events: string[]; duplicates: number };
  actual?: { status: string; events: string[]; duplicates: number };
}

/**
 * Jepsen-style: the flows whose state in `observed` (by key) differs from what was published, i.e.
 * the status its distinct events give (`slaMs` the SLA), those events, and the duplicates counted
 * (each copy in `duplicates` is one).
 */
export function diffFromPublished(
  def: FlowDefinition,
  flows: readonly PublishedFlow[],
  duplicates: readonly { id: string }[],
  observed: ReadonlyMap<string, FlowBody>,
  slaMs: number,
): FlowMismatch[] {
  const dupCount = new Map<string, number>();
  for (const d of duplicates) dupCount.set(d.id, (dupCount.get(d.id) ?? 0) + 1);
  return flows.flatMap(({ key, events }) => {
    const seen = events.map((e) => ({ type: e.type, at: e.time }));
    const expected = {
      status: evaluateFlow(def, seen, new Date(), slaMs).status,
      events: events.map((e) => e.id).sort(),
      duplicates: events.reduce((n, e) => n + (dupCount.get(e.id) ?? 0), 0),
    };
    const got = observed.get(key);
    const actual = got && {
      status: got.status,
      events: got.events.map((e) => e.id).sort(),
      duplicates: got.duplicates,
    };
    return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ key, expected, actual }];
  });
}
