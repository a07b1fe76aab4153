// Issue 7, tracing backend down: Jaeger stopped for a minute while the load generator places orders
// at a fixed rate. Orders keep completing as fast as with Jaeger up, every app's memory stays
// bounded, the spans lost are counted in /metrics, and traces come back with Jaeger.
import { connect, type NatsConnection } from 'nats';
import { runLoad } from '../../apps/loadgen/src/run-load';
import type { LoadSummary } from '../../apps/loadgen/src/load-summary';
import { APP_NAMES, type AppName } from '../../deploy/launch/apps';
import { waitFor } from '../../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import { orderTrace, placeOrder, waitForOutcome } from '../support/flow';
import { adminConnectOptions, loadgenAuth, scrape, total, writeChaosFigures } from './support/fuzz/system-probes';
import { TerminalEvents } from './support/fuzz/terminal-events';

/** Seconds of load with Jaeger up, then as many with Jaeger down (CHAOS_PHASE_SEC, default 60). */
const PHASE_SEC = Number(process.env.CHAOS_PHASE_SEC ?? 60);
/** Orders per second: well under the ~30/s this 2-core machine saturates at with tracing on. */
const RATE = 12;
const MiB = 1024 * 1024;
/** The SDK's default OTEL_BSP_MAX_QUEUE_SIZE, which the launcher leaves as it is. */
const SPAN_QUEUE_CAPACITY = 2048;
/**
 * RSS may grow over the outage by what it grew over the same time with Jaeger up (the apps' own
 * state, GC timing) plus this: a full span queue (2048 spans of a few KiB) and GC noise. The queue
 * gauge is the exact bound; RSS checks nothing else piles up (exporter retries, buffers).
 */
const RSS_MARGIN_MIB = 32;
const SPAN_LOSS = ['flowscope_spans_dropped_total', 'flowscope_span_export_failures_total'];

let system: FlowscopeSystem;
let nc: NatsConnection;

beforeAll(async () => {
  system = await startSystem({ tracing: true, appEnv: { LOG_LEVEL: 'warn' } });
  nc = await connect(adminConnectOptions(system, 'chaos-jaeger-down'));
}, 180_000);

afterAll(async () => {
  await nc?.close();
  await system?.stop();
}, 60_000);

interface AppSnapshot {
  rssMiB: number;
  spansLost: number;
  spansExported: number;
  queued: number;
}

async function snapshot(): Promise<Record<AppName, AppSnapshot>> {
  const out = {} as Record<AppName, AppSnapshot>;
  for (const app of APP_NAMES) {
    const samples = await scrape(system, app);
    out[app] = {
      rssMiB: Math.round((total(samples, 'process_resident_memory_bytes') / MiB) * 10) / 10,
      spansLost: SPAN_LOSS.reduce((sum, name) => sum + total(samples, name), 0),
      spansExported: total(samples, 'flowscope_spans_exported_total'),
      queued: total(samples, 'flowscope_span_queue_spans'),
    };
  }
  return out;
}

/** Runs for `seconds`, sampling every app's metrics every 5 s; returns the orders ended meanwhile. */
async function phase(
  terminal: TerminalEvents,
  seconds: number,
  samples: Record<AppName, AppSnapshot>[],
): Promise<number> {
  const from = Date.now();
  const until = from + seconds * 1000;
  while (Date.now() < until) {
    samples.push(await snapshot());
    await waitFor(() => Date.now() >= Math.min(until, from + samples.length * 5000) || undefined, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'the next sample time',
    });
  }
  return terminal.endedBetween(from, until);
}

describe('tracing backend down', () => {
  it(
    'with Jaeger stopped for a minute under load, orders complete as fast, memory stays bounded, lost spans are counted and traces come back',
    async () => {
      const terminal = await TerminalEvents.follow(nc, 'chaos-jd');
      const abort = new AbortController();
      const load: Promise<LoadSummary> = runLoad(
        {
          natsUrl: system.nats.url,
          natsAuth: loadgenAuth(system),
          ordersUrl: system.app('orders').url,
          idPrefix: 'chaos-jd',
          rate: RATE,
          durationSec: 3600,
          orchestration: 0.5,
          resetFlags: true,
          progressEverySec: 3600,
        },
        { signal: abort.signal },
      );
      const stopLoad = async (): Promise<LoadSummary> => {
        abort.abort();
        return load;
      };
      try {
        await waitFor(() => terminal.count >= RATE * 5 || undefined, {
          timeoutMs: 60_000,
          what: 'the first orders to end (warm-up)',
        });
        const upSamples: Record<AppName, AppSnapshot>[] = [];
        const endedUp = await phase(terminal, PHASE_SEC, upSamples);
        const before = await snapshot();

        await system.jaeger!.stopProcess();
        const downSamples: Record<AppName, AppSnapshot>[] = [];
        const endedDown = await phase(terminal, PHASE_SEC, downSamples);
        const after = await snapshot();

        await system.jaeger!.restart();
        const summary = await stopLoad();
        const orderId = await placeOrder(system, {
          customerId: 'c-after-outage',
          items: [{ sku: 'BOOK-1', qty: 1, unitPrice: 5 }],
        });
        expect(await waitForOutcome(system, orderId)).toMatchObject({ status: 'completed' });
        const spans = await orderTrace(system, orderId, [
          'orders: send order.placed',
          'payments: process order.placed',
          'notification: send customer.notified',
        ]);

        const ratio = endedDown / endedUp;
        const figures = {
          rate: RATE,
          phaseSec: PHASE_SEC,
          ordersEnded: { jaegerUp: endedUp, jaegerDown: endedDown },
          perSecond: { jaegerUp: endedUp / PHASE_SEC, jaegerDown: endedDown / PHASE_SEC },
          throughputRatio: Math.round(ratio * 1000) / 1000,
          loadgen: { placed: summary.placed, errors: summary.errors },
          rssMiB: Object.fromEntries(
            APP_NAMES.map((a) => [
              a,
              {
                startOfUpPhase: upSamples[0][a].rssMiB,
                beforeOutage: before[a].rssMiB,
                endOfOutage: after[a].rssMiB,
                maxDuringOutage: Math.max(...downSamples.map((s) => s[a].rssMiB)),
              },
            ]),
          ),
          spansLostInOutage: Object.fromEntries(APP_NAMES.map((a) => [a, after[a].spansLost - before[a].spansLost])),
          maxSpansQueued: Math.max(...downSamples.flatMap((s) => APP_NAMES.map((a) => s[a].queued))),
          traceAfterRestart: { orderId, spans: spans.length },
        };
        writeChaosFigures('jaeger-down', figures);
        console.log(`tracing backend down: ${JSON.stringify(figures, null, 2)}`);

        expect(summary.errors).toBe(0);
        expect(endedUp).toBeGreaterThanOrEqual(RATE * PHASE_SEC * 0.9); // the system kept up with Jaeger up
        expect(ratio).toBeGreaterThanOrEqual(0.95);
        for (const app of APP_NAMES) {
          // Every app exported spans with Jaeger up, and lost some (counted) while it was down.
          expect({ app, exported: before[app].spansExported > 0 }).toEqual({ app, exported: true });
          expect({ app, lost: after[app].spansLost - before[app].spansLost > 0 }).toEqual({ app, lost: true });
          // Memory: the span queue never passes its bound, and RSS does not grow with the outage.
          for (const s of downSamples) expect(s[app].queued).toBeLessThanOrEqual(SPAN_QUEUE_CAPACITY);
          const grewUp = before[app].rssMiB - upSamples[0][app].rssMiB;
          const rssBound = before[app].rssMiB + Math.max(0, grewUp) + RSS_MARGIN_MIB;
          expect({ app, rssMiB: after[app].rssMiB, rssBound, bounded: after[app].rssMiB <= rssBound }).toMatchObject({
            bounded: true,
          });
        }
      } finally {
        if (!abort.signal.aborted) await stopLoad().catch(() => undefined);
        terminal.stop();
      }
    },
    8 * 60_000,
  );
});
