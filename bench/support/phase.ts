// The measurements a benchmark phase makes on a running system: warm-up, fixed-rate latency,
// saturation throughput (with the CPU each process used meanwhile).
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../deploy/launch/probe';
import { closedLoop, openLoop, type LoadTarget, type OrderResult } from './load';
import type { Scenario } from './orders';
import { tick, type Say } from './report';
import { sample, summarize, round, type LatencySummary } from './stats';
import { redeliveriesSoFar } from './metrics';
import { settle } from './rounds';
import { natsMessagesByClient, natsMessagesSoFar } from './nats-counters';
import { cpuPercent, cpuSeconds, cpuSplitSeconds, interference, machineCpuSeconds, type BenchSystem } from './system';

type Interference = ReturnType<typeof interference>;

export interface FixedRateFigures {
  rate: number;
  seconds: number;
  orders: number;
  /** POST /orders → order.completed / order.cancelled. */
  latencyMs: LatencySummary;
  /** POST /orders → customer.notified. */
  notifiedMs: LatencySummary;
  byScenario: Partial<Record<Scenario, LatencySummary>>;
  failures: Record<string, number>;
  /** A few orders that ended, spread over the phase. */
  sampleOrderIds: string[];
  /** CPU the system used per ended order, from the slice's start until it settled (includes its idle pollers). */
  cpuMsPerOrder: CpuPerOrder;
  /** nats-server messages in + out per ended order (`/varz`), the driver's watcher included. */
  natsMessagesPerOrder: number;
  /** The same per client connection (`/connz`, by connection name: a service, or the driver). */
  natsMessagesPerOrderByClient: Record<string, number>;
  /** Other work on the machine meanwhile (not this benchmark), % of one core. */
  interference: Interference;
  /** Event deliveries retried per 100 orders (a handler threw: e.g. the order's copy was not there yet). */
  redeliveriesPer100Orders: number;
  /** Every ended order, to pool phases (left out of the JSON). */
  raw: Pick<OrderResult, 'scenario' | 'latencyMs' | 'notifiedMs'>[];
}

export interface SaturationFigures {
  concurrency: number;
  seconds: number;
  /** Orders that ended (completed or cancelled) per second, ramp-up excluded. */
  ordersPerSecond: number;
  latencyMs: LatencySummary;
  failures: Record<string, number>;
  /** % of one core per process while saturated (2 cores = 200 %). */
  cpuPercent: Record<string, number>;
  /** CPU the system used per ended order (ramp included), from the slice's start until it settled. */
  cpuMsPerOrder: CpuPerOrder;
  /** nats-server messages in + out per ended order (`/varz`, ramp included), the driver's watcher included. */
  natsMessagesPerOrder: number;
  /** The same per client connection (`/connz`, by connection name). */
  natsMessagesPerOrderByClient: Record<string, number>;
  /** Other work on the machine during the measured window (not this benchmark), % of one core. */
  interference: Interference;
  redeliveriesPer100Orders: number;
  sampleOrderIds: string[];
}

/**
 * CPU milliseconds per order: `total` over the system's processes (apps, nats-server, Jaeger), and
 * each process (the benchmark's own client as `bench`, not in the total). On a shared machine this
 * holds still where throughput does not: it does not depend on how much CPU the others leave us.
 */
export interface CpuPerOrder {
  total: number;
  /** `total` split into user and system (kernel) time. */
  user: number;
  system: number;
  byProcess: Record<string, number>;
}

type CpuSplit = ReturnType<typeof cpuSplitSeconds>;

function cpuPerOrder(before: CpuSplit, after: CpuSplit, orders: number): CpuPerOrder {
  const perOrder = (n: string, part: 'user' | 'system') =>
    ((after[n][part] - (before[n]?.[part] ?? 0)) * 1000) / Math.max(1, orders);
  const names = Object.keys(after);
  const byProcess = Object.fromEntries(names.map((n) => [n, round(perOrder(n, 'user') + perOrder(n, 'system'), 2)]));
  const system = names.filter((n) => n !== 'bench');
  const sum = (part: 'user' | 'system') =>
    round(
      system.reduce((total, n) => total + perOrder(n, part), 0),
      2,
    );
  const [user, kernel] = [sum('user'), sum('system')];
  return { total: round(user + kernel, 2), user, system: kernel, byProcess };
}

/** The nats-server's messages (in + out) per ended order over a slice, the driver's own included. */
async function natsPerOrder(sys: BenchSystem, before: number, orders: number): Promise<number> {
  return round(((await natsMessagesSoFar(sys)) - before) / Math.max(1, orders), 1);
}

/** Per connection name, messages (in + out) per ended order over a slice. */
async function natsPerOrderByClient(
  sys: BenchSystem,
  before: Record<string, number>,
  orders: number,
): Promise<Record<string, number>> {
  const after = await natsMessagesByClient(sys);
  return Object.fromEntries(
    Object.entries(after).map(([name, n]) => [name, round((n - (before[name] ?? 0)) / Math.max(1, orders), 1)]),
  );
}

/** A few seconds of load the figures do not count: JIT, consumers, connections, KV buckets. */
export async function warmUp(target: LoadTarget, seconds: number, concurrency: number): Promise<void> {
  await closedLoop(target, concurrency, seconds, 0);
}

export async function fixedRate(
  target: LoadTarget,
  sys: BenchSystem,
  rate: number,
  seconds: number,
  say: Say,
  label: string,
): Promise<FixedRateFigures> {
  const stop = tick(say, `${label} fixed ${rate}/s`, target);
  const pids = sys.pids();
  const retriesBefore = await redeliveriesSoFar(sys.appUrls);
  const natsBefore = await natsMessagesSoFar(sys);
  const byClientBefore = await natsMessagesByClient(sys);
  const [before, machineBefore, started] = [cpuSplitSeconds(pids), machineCpuSeconds(), performance.now()];
  const results = await openLoop(target, rate, seconds).finally(stop);
  const ended = results.filter((r) => r.latencyMs !== undefined);
  // customer.notified follows the terminal event; give the last ones a moment.
  await waitFor(() => ended.every((r) => r.notifiedMs !== undefined), {
    timeoutMs: 10_000,
    intervalMs: 50,
    what: 'notifications',
  }).catch(() => undefined);
  await settle(sys);
  const others = interference(machineBefore, machineCpuSeconds(), (performance.now() - started) / 1000);
  const byScenario: FixedRateFigures['byScenario'] = {};
  for (const scenario of new Set(ended.map((r) => r.scenario)))
    byScenario[scenario] = latencies(ended.filter((r) => r.scenario === scenario));
  return {
    rate,
    seconds,
    orders: results.length,
    latencyMs: latencies(ended),
    notifiedMs: latencies(ended, 'notifiedMs'),
    byScenario,
    failures: failures(results),
    sampleOrderIds: sample(
      ended.map((r) => r.orderId),
      5,
    ),
    cpuMsPerOrder: cpuPerOrder(before, cpuSplitSeconds(pids), ended.length),
    natsMessagesPerOrder: await natsPerOrder(sys, natsBefore, ended.length),
    natsMessagesPerOrderByClient: await natsPerOrderByClient(sys, byClientBefore, ended.length),
    interference: others,
    redeliveriesPer100Orders: round(
      (((await redeliveriesSoFar(sys.appUrls)) - retriesBefore) * 100) / Math.max(1, results.length),
    ),
    raw: ended.map(({ scenario, latencyMs, notifiedMs }) => ({ scenario, latencyMs, notifiedMs })),
  };
}

/**
 * `concurrency` orders in flight for `rampSeconds` (not counted: after a pause the consumers' pulls
 * and batches take a few seconds to reach their pace), then `seconds` measured.
 */
export async function saturation(
  target: LoadTarget,
  sys: BenchSystem,
  concurrency: number,
  seconds: number,
  rampSeconds: number,
  say: Say,
  label: string,
): Promise<SaturationFigures> {
  const stop = tick(say, `${label} saturation (${concurrency} in flight)`, target);
  const pids = sys.pids();
  const retriesBefore = await redeliveriesSoFar(sys.appUrls);
  const natsBefore = await natsMessagesSoFar(sys);
  const byClientBefore = await natsMessagesByClient(sys);
  const before = cpuSplitSeconds(pids);
  const run = closedLoop(target, concurrency, rampSeconds + seconds, rampSeconds);
  await sleep(rampSeconds * 1000);
  // CPU % over the measured window only (not the ramp, not the tail while the last orders finish).
  const [windowStart, windowMachine, startedAt] = [cpuSeconds(pids), machineCpuSeconds(), performance.now()];
  await sleep(seconds * 1000);
  const window = (performance.now() - startedAt) / 1000;
  const [cpu, others] = [
    cpuPercent(windowStart, cpuSeconds(pids), window),
    interference(windowMachine, machineCpuSeconds(), window),
  ];
  const { results, counted, ordersPerSecond } = await run.finally(stop);
  await settle(sys);
  const ended = results.filter((r) => r.endedAt !== undefined).length;
  return {
    concurrency,
    seconds,
    ordersPerSecond: round(ordersPerSecond),
    latencyMs: latencies(counted),
    failures: failures(results),
    cpuPercent: cpu,
    interference: others,
    redeliveriesPer100Orders: round(
      (((await redeliveriesSoFar(sys.appUrls)) - retriesBefore) * 100) / Math.max(1, results.length),
    ),
    cpuMsPerOrder: cpuPerOrder(before, cpuSplitSeconds(pids), ended),
    natsMessagesPerOrder: await natsPerOrder(sys, natsBefore, ended),
    natsMessagesPerOrderByClient: await natsPerOrderByClient(sys, byClientBefore, ended),
    sampleOrderIds: sample(
      counted.map((r) => r.orderId),
      5,
    ),
  };
}

/** Latencies of the ended orders among `results` (to the terminal event, or to customer.notified). */
export const latencies = (
  results: Pick<OrderResult, 'latencyMs' | 'notifiedMs'>[],
  to: 'latencyMs' | 'notifiedMs' = 'latencyMs',
) => summarize(results.flatMap((r) => (r[to] === undefined ? [] : [r[to]])));

function failures(results: OrderResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) if (r.error) out[r.error] = (out[r.error] ?? 0) + 1;
  return out;
}
