// What every chaos run checks once the load has stopped and the system is quiet: each order the
// system accepted ended (completed, or cancelled with its compensations done), no domain event took
// effect twice, and the tracker and the orders API agree with the events.
import { EVENTS_STREAM } from '@flowscope/contracts';
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from 'nats';
import { httpJson, waitFor } from '../../../deploy/launch/probe';
import type { OrderView } from '../../support/flow';
import type { FlowBody } from '../../support/tracker';

/** The events stored for one order: how many of each type, and their ids. */
/** Marks the copies a chaos test publishes itself (duplicates): not counted as the system's events. */
export const CHAOS_COPY_HEADER = 'Flowscope-Chaos-Copy';

export interface OrderEvents {
  counts: Record<string, number>;
  ids: Set<string>;
}

/**
 * Every event of EVENTS whose order id starts with `prefix`, grouped by order, read in one pass by
 * an ephemeral consumer of the test's own (no acks; the server drops it when idle).
 */
export async function eventsByOrder(
  js: JetStreamClient,
  jsm: JetStreamManager,
  prefix: string,
): Promise<Map<string, OrderEvents>> {
  const created = await jsm.consumers.add(EVENTS_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: 30e9,
    mem_storage: true,
  });
  const out = new Map<string, OrderEvents>();
  try {
    const consumer = await js.consumers.get(EVENTS_STREAM, created.name);
    for (let left = created.num_pending; left > 0;) {
      let got = 0;
      for await (const msg of await consumer.fetch({ max_messages: Math.min(left, 1000), expires: 5000 })) {
        got++;
        if (msg.headers?.get(CHAOS_COPY_HEADER)) continue; // a copy the test itself injected
        const orderId = orderIdOf(msg.data);
        if (!orderId?.startsWith(prefix)) continue;
        const entry = out.get(orderId) ?? { counts: {}, ids: new Set<string>() };
        entry.counts[msg.subject] = (entry.counts[msg.subject] ?? 0) + 1;
        entry.ids.add(msg.headers?.get('Nats-Msg-Id') || `${msg.subject}#${msg.seq}`);
        out.set(orderId, entry);
      }
      if (got === 0) throw new Error(`reading EVENTS stalled with ${left} messages left`);
      left -= got;
    }
  } finally {
    await jsm.consumers.delete(EVENTS_STREAM, created.name).catch(() => undefined);
  }
  return out;
}

function orderIdOf(data: Uint8Array): string | undefined {
  try {
    const body = JSON.parse(Buffer.from(data).toString()) as { data?: { orderId?: unknown }; orderId?: unknown };
    const id = body.data?.orderId ?? body.orderId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Keys of a KV bucket that start with `prefix` (the orders service's store: orders it recorded). */
export async function kvKeys(js: JetStreamClient, bucket: string, prefix: string): Promise<string[]> {
  const kv = await js.views.kv(bucket);
  const out: string[] = [];
  for await (const key of await kv.keys()) if (key.startsWith(prefix)) out.push(key);
  return out;
}

/** How an order ended according to its events, or why it breaks an invariant. */
export type Verdict = { ok: true; outcome: 'completed' | 'failed' | 'compensated' } | { ok: false; problem: string };

const FORWARD_COMPENSATION: Record<string, string> = {
  'payment.authorized': 'payment.refunded',
  'stock.reserved': 'stock.released',
};

/**
 * The events of one order against the rules: one `order.placed`; exactly one of `order.completed`
 * / `order.cancelled`; a completed order has payment, stock and shipment and nothing undone; a
 * cancelled one has each forward step that took effect compensated; no event type stored twice.
 */
export function judge(events: OrderEvents | undefined): Verdict {
  if (!events) return { ok: false, problem: 'no event at all' };
  const n = (type: string) => events.counts[type] ?? 0;
  const twice = Object.entries(events.counts)
    .filter(([, c]) => c > 1)
    .map(([t, c]) => `${t}×${c}`);
  if (twice.length > 0) return { ok: false, problem: `took effect twice: ${twice.join(', ')}` };
  if (n('order.placed') !== 1) return { ok: false, problem: 'no order.placed' };
  if (n('order.completed') + n('order.cancelled') !== 1)
    return { ok: false, problem: `not ended: ${Object.keys(events.counts).sort().join(', ')}` };
  if (n('order.completed') === 1) {
    const missing = ['payment.authorized', 'stock.reserved', 'shipment.scheduled'].filter((t) => n(t) === 0);
    const undone = [
      'payment.refunded',
      'stock.released',
      'payment.declined',
      'stock.unavailable',
      'shipment.failed',
    ].filter((t) => n(t) > 0);
    if (missing.length || undone.length)
      return { ok: false, problem: `completed, but missing [${missing.join(', ')}], with [${undone.join(', ')}]` };
    return { ok: true, outcome: 'completed' };
  }
  const owed = Object.entries(FORWARD_COMPENSATION)
    .filter(([done, undo]) => n(done) === 1 && n(undo) === 0)
    .map(([, undo]) => undo);
  if (owed.length) return { ok: false, problem: `cancelled without ${owed.join(', ')}` };
  const orphan = Object.entries(FORWARD_COMPENSATION)
    .filter(([done, undo]) => n(undo) === 1 && n(done) === 0)
    .map(([, undo]) => undo);
  if (orphan.length) return { ok: false, problem: `${orphan.join(', ')} of nothing done` };
  const compensated = Object.keys(FORWARD_COMPENSATION).some((done) => n(done) === 1);
  return { ok: true, outcome: compensated ? 'compensated' : 'failed' };
}

/** The figures and the breaches of one check of every order. */
export interface Audit {
  orders: number;
  outcomes: Record<string, number>;
  /** Orders whose events break a rule, or that the orders API or the tracker sees otherwise. */
  problems: { orderId: string; problem: string }[];
  /** Duplicates the tracker counted (redeliveries of an event it had: same event id). */
  trackerDuplicates: number;
  /** Orders whose customer was never told (the saga's notification is best effort). */
  notNotified: number;
}

export interface AuditInput {
  orderIds: Iterable<string>;
  events: Map<string, OrderEvents>;
  ordersUrl: string;
  trackerUrl: string;
}

/** Judges every order by its events, then checks the orders API and the tracker against them. */
export async function audit({ orderIds, events, ordersUrl, trackerUrl }: AuditInput): Promise<Audit> {
  const result: Audit = { orders: 0, outcomes: {}, problems: [], trackerDuplicates: 0, notNotified: 0 };
  for (const orderId of [...new Set(orderIds)].sort()) {
    result.orders++;
    const own = events.get(orderId);
    const verdict = judge(own);
    if (!verdict.ok) {
      result.problems.push({ orderId, problem: verdict.problem });
      continue;
    }
    result.outcomes[verdict.outcome] = (result.outcomes[verdict.outcome] ?? 0) + 1;
    if (!own?.counts['customer.notified']) result.notNotified++;
    const order = await httpJson<OrderView>(`${ordersUrl}/orders/${orderId}`);
    const expectedOrder = verdict.outcome === 'completed' ? 'completed' : 'cancelled';
    if (order.status !== 200 || order.body.status !== expectedOrder) {
      result.problems.push({
        orderId,
        problem: `orders API says ${order.status} ${order.body?.status}, events say ${expectedOrder}`,
      });
    }
    const flow = await httpJson<FlowBody>(`${trackerUrl}/flows/order-fulfillment/${orderId}`);
    const seen = new Set(flow.body?.events?.map((e) => e.id) ?? []);
    const sameEvents = seen.size === own!.ids.size && [...own!.ids].every((id) => seen.has(id));
    if (flow.status !== 200 || flow.body.status !== verdict.outcome || !sameEvents) {
      result.problems.push({
        orderId,
        problem: `tracker says ${flow.status} ${flow.body?.status} with ${seen.size} events, events say ${verdict.outcome} with ${own!.ids.size}`,
      });
    } else {
      result.trackerDuplicates += flow.body.duplicates;
    }
  }
  return result;
}

/** Quiet: every durable consumer of EVENTS has nothing pending and nothing unacknowledged. */
export function waitForQuiet(jsm: JetStreamManager, timeoutMs: number): Promise<true> {
  return waitFor(
    async () => {
      const consumers = await jsm.consumers.list(EVENTS_STREAM).next();
      const durable = consumers.filter((c) => c.config.durable_name && c.config.ack_policy === AckPolicy.Explicit);
      return (durable.length > 0 && durable.every((c) => c.num_pending === 0 && c.num_ack_pending === 0)) || undefined;
    },
    { timeoutMs, intervalMs: 500, what: 'every durable consumer of EVENTS to have handled everything' },
  );
}

/** Waits until every order has ended by its events (an unfinished saga may still be retrying). */
export function waitForEveryOrderToEnd(
  js: JetStreamClient,
  jsm: JetStreamManager,
  orderIds: () => Iterable<string>,
  prefix: string,
  timeoutMs: number,
): Promise<Map<string, OrderEvents>> {
  return waitFor(
    async () => {
      const events = await eventsByOrder(js, jsm, prefix);
      const open = [...orderIds()].filter(
        (id) => !events.get(id)?.counts['order.completed'] && !events.get(id)?.counts['order.cancelled'],
      );
      if (open.length === 0) return events;
      // Thrown, not returned: a timeout then names the orders still open and the events each one has.
      const shown = open
        .slice(0, 10)
        .map((id) => `${id} [${Object.keys(events.get(id)?.counts ?? {}).join(', ') || 'no events'}]`);
      throw new Error(`${open.length} order(s) not ended: ${shown.join('; ')}`);
    },
    { timeoutMs, intervalMs: 2000, what: 'every order accepted to end (order.completed or order.cancelled)' },
  );
}

/** `n` → p50 and p99 of a list of durations, in ms. */
export function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

/** Seeded generator (mulberry32): a failing run is replayed with its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
