// Benchmark (not a test): what tracing every hop costs. The whole system (every app, real
// nats-server) runs with tracing on (exporting to a real Jaeger) and off (OTEL_SDK_DISABLED=true),
// alternated within one run; each phase starts a fresh system, warms up, measures end-to-end order
// latency at a fixed rate, then completed orders per second at saturation. Choreography, happy
// orders only (every order takes the same 5 hops). `npm run bench:tracing`.
import type { AppName } from '../deploy/launch/apps';
import { loadTarget } from './support/load';
import { OutcomeWatcher } from './support/outcomes';
import { ScenarioMix } from './support/orders';
import { fixedRate, saturation, warmUp, type FixedRateFigures, type SaturationFigures } from './support/phase';
import { knob, loadAverage, machine, progressLine, writeResult } from './support/report';
import { spanExportTotals, spansPerOrder } from './support/spans';
import { median, round } from './support/stats';
import { startBenchSystem } from './support/system';

const RATE = knob('BENCH_RATE', 40);
const SECONDS = knob('BENCH_SECONDS', 15);
const CONCURRENCY = knob('BENCH_CONCURRENCY', 32);
const ROUNDS = knob('BENCH_ROUNDS', 2);
const WARMUP_SECONDS = knob('BENCH_WARMUP_SECONDS', 5);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || undefined;
const PROFILE_APPS = process.env.BENCH_PROFILE_APPS?.split(',').filter(Boolean) as AppName[] | undefined;
/**
 * Hops on the path from `POST /orders` to `order.completed` in choreography: the HTTP request to
 * orders, then order.placed → payments, payment.authorized → seller, stock.reserved → logistics,
 * shipment.scheduled → orders (each a JetStream publish and a consumer's delivery).
 */
const HOPS = 5;
const say = progressLine('tracing');

type Mode = 'on' | 'off';
interface Phase {
  mode: Mode;
  index: number;
  fixedRate: FixedRateFigures;
  saturation: SaturationFigures;
  /** Spans Jaeger holds per sampled order (fixed-rate ones, then saturation ones); tracing on only. */
  spansPerOrder?: number[];
  /** Spans every app exported, lost and dropped over the phase (its /metrics); tracing on only. */
  spanExport?: { exported: number; failed: number; dropped: number };
  loadAverage: number[];
}

async function phase(mode: Mode, index: number): Promise<Phase> {
  const label = `${mode} #${index}`;
  say(`${label}: starting the system, tracing ${mode === 'on' ? 'on (exporting to Jaeger)' : 'off (OTEL_SDK_DISABLED=true, no Jaeger)'}`);
  const sys = await startBenchSystem({ tracing: mode === 'on', label: `tracing-${mode}-${index}`, profileDir: PROFILE_DIR, profileApps: PROFILE_APPS, onProgress: (m) => say(`${label}: ${m}`) });
  let watcher: OutcomeWatcher | undefined;
  try {
    watcher = await OutcomeWatcher.connect(sys.natsConnect);
    const target = loadTarget({ ordersUrl: sys.ordersUrl, watcher, idPrefix: `tr-${mode}-${index}`, mix: new ScenarioMix({ happy: 1 }), style: 'choreography' });
    say(`${label}: warming up for ${WARMUP_SECONDS} s`);
    await warmUp(target, WARMUP_SECONDS, Math.min(8, CONCURRENCY));
    const skip = sys.secondsIntoProfile();
    if (skip !== undefined) say(`${label}: measuring starts ${skip} s into the profiles (profile-summary --skip=${skip})`);
    const fixed = await fixedRate(target, RATE, SECONDS, say, label);
    say(`${label}: fixed ${RATE}/s: p50 ${fixed.latencyMs.p50} ms, p99 ${fixed.latencyMs.p99} ms`);
    const saturated = await saturation(target, sys, CONCURRENCY, SECONDS, say, label);
    say(`${label}: saturation: ${saturated.ordersPerSecond} completed orders/s; CPU % ${JSON.stringify(saturated.cpuPercent)}`);
    const spans = sys.jaegerQueryUrl ? await spansPerOrder(sys.jaegerQueryUrl, [...fixed.sampleOrderIds.slice(0, 3), ...saturated.sampleOrderIds]) : undefined;
    const spanExport = mode === 'on' ? await spanExportTotals(sys.appUrls) : undefined;
    if (spanExport) say(`${label}: spans exported ${spanExport.exported}, failed ${spanExport.failed}, dropped ${spanExport.dropped}; in Jaeger per sampled order: ${spans?.join(', ') ?? '?'}`);
    return { mode, index, fixedRate: fixed, saturation: saturated, spansPerOrder: spans, spanExport, loadAverage: loadAverage() };
  } finally {
    await watcher?.close();
    await sys.stop();
  }
}

/** on, off, off, on, …: a load drift that is linear over the run cancels out between the modes. */
function schedule(rounds: number): Mode[] {
  return Array.from({ length: rounds }, (_, r): Mode[] => (r % 2 === 0 ? ['on', 'off'] : ['off', 'on'])).flat();
}

function byMode(phases: Phase[], mode: Mode) {
  const mine = phases.filter((p) => p.mode === mode);
  return {
    phases: mine.length,
    saturationOrdersPerSecond: round(median(mine.map((p) => p.saturation.ordersPerSecond))),
    p50Ms: round(median(mine.map((p) => p.fixedRate.latencyMs.p50))),
    p99Ms: round(median(mine.map((p) => p.fixedRate.latencyMs.p99))),
    notifiedP99Ms: round(median(mine.map((p) => p.fixedRate.notifiedMs.p99))),
    saturationP99Ms: round(median(mine.map((p) => p.saturation.latencyMs.p99))),
  };
}

function compare(phases: Phase[]) {
  const [on, off] = [byMode(phases, 'on'), byMode(phases, 'off')];
  const ratio = on.saturationOrdersPerSecond / off.saturationOrdersPerSecond;
  const p99Delta = on.p99Ms - off.p99Ms;
  // Rounds pair an on phase with the off phase next to it: a ratio per round shows the spread.
  const perRound = Array.from({ length: ROUNDS }, (_, r) => {
    const pair = phases.slice(r * 2, r * 2 + 2);
    const [a, b] = [pair.find((p) => p.mode === 'on'), pair.find((p) => p.mode === 'off')];
    return a && b ? round(a.saturation.ordersPerSecond / b.saturation.ordersPerSecond, 3) : NaN;
  });
  return {
    on,
    off,
    throughputRatioOnOff: round(ratio, 3),
    throughputRatioPerRound: perRound,
    p50DeltaMs: round(on.p50Ms - off.p50Ms),
    p99DeltaMs: round(p99Delta),
    hops: HOPS,
    p99DeltaPerHopMs: round(p99Delta / HOPS, 2),
    targets: { throughputRatioAtLeast: 0.9, p99PerHopAtMostMs: 1, throughputMet: ratio >= 0.9, latencyMet: p99Delta / HOPS <= 1 },
  };
}

async function main(): Promise<void> {
  const startLoad = loadAverage();
  say(`machine ${JSON.stringify(machine())}, load ${startLoad.join(' ')}`);
  say(`${ROUNDS} rounds of on/off; ${RATE} orders/s for ${SECONDS} s, then ${CONCURRENCY} in flight for ${SECONDS} s; choreography, happy orders`);
  const phases: Phase[] = [];
  for (const [i, mode] of schedule(ROUNDS).entries()) phases.push(await phase(mode, Math.floor(i / 2) + 1));
  const summary = compare(phases);
  const row = (m: ReturnType<typeof byMode>) => ({
    'saturation (orders/s)': m.saturationOrdersPerSecond,
    [`p50 at ${RATE}/s (ms)`]: m.p50Ms,
    [`p99 at ${RATE}/s (ms)`]: m.p99Ms,
    'p99 to notified (ms)': m.notifiedP99Ms,
    'p99 saturated (ms)': m.saturationP99Ms,
  });
  console.table({ 'tracing on': row(summary.on), 'tracing off': row(summary.off) });
  console.table({
    'throughput ratio on/off (target ≥ 0.90)': summary.throughputRatioOnOff,
    'ratio per round': summary.throughputRatioPerRound.join(', '),
    'p99 difference (ms)': summary.p99DeltaMs,
    [`p99 difference per hop, ${HOPS} hops (ms, target ≤ 1)`]: summary.p99DeltaPerHopMs,
  });
  writeResult('tracing-overhead', {
    machine: machine(),
    loadAverage: { atStart: startLoad, atEnd: loadAverage() },
    settings: { rate: RATE, seconds: SECONDS, concurrency: CONCURRENCY, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, style: 'choreography', scenario: 'happy', order: schedule(ROUNDS) },
    ...summary,
    phases,
    at: new Date().toISOString(),
  }, say);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
