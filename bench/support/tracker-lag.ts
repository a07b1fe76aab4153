// Lag from publish to visible status at a steady rate: a paced publisher (a batch every 10 ms) sends
// mixed flows, and the lag of a status is the time from the publish call of the event that causes it
// to the tracker's `flow.<status>` message for that flow on core NATS.
import { setImmediate, setTimeout as delay } from 'node:timers/promises';
import type { JetStreamClient } from 'nats';
import type { Say } from './report';
import { summarize } from './stats';
import { mixedStream, PublishWindow, scenarioOf } from './tracker-stream';
import type { FlowWatch } from './tracker-watch';

/**
 * Which event of each scenario (its index in test/support/tracker.ts SCENARIOS) makes the flow take
 * each status it goes through (ARCHITECTURE.md's status function over the shipped definition).
 */
export const TRANSITIONS: Record<string, Record<string, number>> = {
  completed: { running: 0, completed: 4 }, // order.completed: every non-optional step done
  failed: { running: 0, failed: 1 }, // payment.declined, nothing done needs compensation
  compensatedStock: { running: 0, compensating: 2, compensated: 3 }, // stock.unavailable, payment.refunded
  compensatedShipment: { running: 0, compensating: 3, compensated: 5 }, // shipment.failed, …, payment.refunded
  stuck: { running: 0 },
};

export interface LagOptions {
  rate: number;
  seconds: number;
  /** Samples whose event was published in the first `warmupSeconds` are left out (JIT, first checkpoints). */
  warmupSeconds: number;
  wave: number;
  say: Say;
}

export async function pacedLag(js: JetStreamClient, watch: FlowWatch, opts: LagOptions) {
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((opts.rate * tickMs) / 1000));
  const flows = Math.ceil((opts.rate * (opts.seconds + opts.warmupSeconds)) / 5.2); // 5.2 events a flow on average
  const events = [...mixedStream('lag', flows, opts.wave)];
  const expected = Array.from({ length: flows }, (_, i) => Object.keys(TRANSITIONS[scenarioOf(i)]).length).reduce(
    (a, b) => a + b,
  );
  const sentAt = new Map<string, number>();
  const lags: number[] = [];
  const byStatus: Record<string, number[]> = {};
  let [warmup, unexpected] = [0, 0];
  const started = performance.now();
  const warmupEnd = started + opts.warmupSeconds * 1000;
  watch.listen((key, status, at) => {
    if (!key.startsWith('lag-')) return;
    const index = TRANSITIONS[scenarioOf(Number(key.slice(4)))][status];
    const sent = index === undefined ? undefined : sentAt.get(`${key}#${index}`);
    if (sent === undefined) unexpected++;
    else if (sent < warmupEnd) warmup++;
    else {
      lags.push(at - sent);
      (byStatus[status] ??= []).push(at - sent);
    }
  });
  const publisher = new PublishWindow(js);
  let lateTicks = 0;
  for (let tick = 0, next = 0; next < events.length; tick++) {
    const wait = started + tick * tickMs - performance.now();
    if (wait < -tickMs) lateTicks++;
    // Always a macrotask: behind schedule, a burst of sends must still let PubAcks and flow.* messages in.
    await (wait > 0 ? delay(wait) : setImmediate());
    for (const event of events.slice(next, next + perTick)) {
      sentAt.set(`${event.key}#${event.index}`, performance.now());
      publisher.send(event);
    }
    next += perTick;
    await publisher.below(20 * perTick); // PubAcks far behind: the rate drops, and shows it
    if (tick % (1000 / tickMs) === 0 && tick > 0)
      opts.say(`lag: ${tick / (1000 / tickMs)} s, ${next} events published, ${lags.length} statuses timed`);
  }
  await publisher.below(0);
  const publishSeconds = (performance.now() - started) / 1000;
  const seen = () => lags.length + warmup + unexpected;
  const deadline = performance.now() + 60_000;
  while (seen() < expected && performance.now() < deadline) await delay(50);
  return {
    method: 'publish call of the causing event → flow.<status> on core NATS (bench subscriber)',
    targetEventsPerSecond: opts.rate,
    achievedEventsPerSecond: Math.round(events.length / publishSeconds),
    events: events.length,
    flows,
    warmupSeconds: opts.warmupSeconds,
    lateTicks,
    statusesExpected: expected,
    statusesMissing: expected - seen(),
    unexpectedStatuses: unexpected,
    lagMs: summarize(lags),
    lagMsByStatus: Object.fromEntries(Object.entries(byStatus).map(([s, v]) => [s, summarize(v)])),
  };
}
