// The driver: places orders over `POST /orders` and times each to its terminal event on NATS.
// Open loop at a fixed rate (latency: each order is timed from when it was due, so a system or a
// client that falls behind shows up in the figures) and closed loop with N orders in flight
// (saturation throughput: completed orders per second).
import { setTimeout as sleep } from 'node:timers/promises';
import { EXPECTED_END, orderRequest, type ScenarioMix, type Scenario, type Style } from './orders';
import type { OutcomeWatcher, Terminal } from './outcomes';

/** What happened to one order. Times are ms from when it was due. */
export interface OrderResult {
  orderId: string;
  scenario: Scenario;
  style: Style;
  /** POST /orders to its terminal event (order.completed / order.cancelled). */
  latencyMs?: number;
  /** POST /orders to customer.notified, the flow's last event. */
  notifiedMs?: number;
  /** `performance.now()` at the terminal event. */
  endedAt?: number;
  terminal?: Terminal;
  /** `http 503`, `network`, `timeout` (no terminal event in time), `wrong-end` (not the scenario's). */
  error?: string;
}

/** Where and what a load run places; `counts` is live, for progress lines. */
export interface LoadTarget {
  ordersUrl: string;
  watcher: OutcomeWatcher;
  /** Order ids are `<idPrefix>-<n>`. */
  idPrefix: string;
  mix: ScenarioMix;
  style: Style;
  /** How long an order may take before it counts as lost (default 30 s). */
  timeoutMs?: number;
  counts: { placed: number; ended: number; failed: number };
}

export function loadTarget(options: Omit<LoadTarget, 'counts'>): LoadTarget {
  return { ...options, counts: { placed: 0, ended: 0, failed: 0 } };
}

let sequence = 0;

/** Places one order due at `dueAt` and waits for its end. Never throws: failures are in `error`. */
export async function placeAndWait(target: LoadTarget, dueAt: number): Promise<OrderResult> {
  const n = sequence++;
  const orderId = `${target.idPrefix}-${n}`;
  const scenario = target.mix.next();
  const result: OrderResult = { orderId, scenario, style: target.style };
  const outcome = target.watcher.expect(orderId, (at) => (result.notifiedMs = at - dueAt));
  target.counts.placed++;
  result.error = await post(target.ordersUrl, orderRequest(orderId, n, scenario, target.style));
  const ended = result.error ? undefined : await within(outcome, target.timeoutMs ?? 30_000);
  if (!ended) {
    target.watcher.forget([orderId]);
    result.error ??= 'timeout';
    target.counts.failed++;
    return result;
  }
  Object.assign(result, { latencyMs: ended.at - dueAt, endedAt: ended.at, terminal: ended.terminal });
  if (ended.terminal !== EXPECTED_END[scenario]) result.error = 'wrong-end';
  target.counts.ended++;
  return result;
}

/** `POST /orders`; undefined when it answered 201, else a short reason. */
async function post(ordersUrl: string, body: object): Promise<string | undefined> {
  try {
    const res = await fetch(`${ordersUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status === 201 ? undefined : `http ${res.status}`;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'http timeout' : 'network';
  }
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const ac = new AbortController();
  const timer = sleep(ms, undefined, { signal: ac.signal }).then(
    () => undefined,
    () => undefined,
  );
  try {
    return await Promise.race([promise, timer]);
  } finally {
    ac.abort();
  }
}

/** `rate` orders per second for `seconds`, each timed from when it was due; resolves once all ended. */
export async function openLoop(target: LoadTarget, rate: number, seconds: number): Promise<OrderResult[]> {
  const start = performance.now();
  const orders: Promise<OrderResult>[] = [];
  for (let n = 0; ; n++) {
    const due = start + (n * 1000) / rate;
    if (due >= start + seconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    orders.push(placeAndWait(target, due));
  }
  return Promise.all(orders);
}

/** Saturation: `concurrency` orders in flight for `seconds`; completed orders/s after `skipSeconds` of ramp-up. */
export async function closedLoop(target: LoadTarget, concurrency: number, seconds: number, skipSeconds: number) {
  const start = performance.now();
  const end = start + seconds * 1000;
  const results: OrderResult[] = [];
  const worker = async () => {
    while (performance.now() < end) results.push(await placeAndWait(target, performance.now()));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const from = start + skipSeconds * 1000;
  const counted = results.filter((r) => r.endedAt !== undefined && r.endedAt >= from && r.endedAt <= end);
  return { results, counted, ordersPerSecond: counted.length / ((end - from) / 1000) };
}
