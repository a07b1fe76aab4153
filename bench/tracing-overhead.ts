// Benchmark (not a test): what tracing every hop costs. Two whole systems run side by side (every
// app, a real nats-server each): one with tracing on, exporting to a real Jaeger, one with tracing
// off (OTEL_SDK_DISABLED=true, no Jaeger). They take turns in slices (on, off, off, on, …): end-to-end
// order latency at a fixed rate, then completed orders per second at saturation; the idle one waits.
// Choreography, happy orders only (every order takes the same 5 hops). `npm run bench:tracing`.
// With BENCH_BASELINE_DIR (a built worktree of an earlier commit) a third system takes its turns:
// that commit with tracing on, for CPU and NATS messages per order against it in the same run.
// With BENCH_NODE_B (another Node.js binary) two more take their turns: tracing on and off with the
// apps on that Node (`on-b`, `off-b`), to compare runtimes in the same run.
import type { AppName } from '../deploy/launch/apps';
import { nodeRuntime } from '../deploy/launch/binaries';
import { loadTarget, type LoadTarget } from './support/load';
import { OutcomeWatcher } from './support/outcomes';
import { BASELINE_DIR, baselineStarter } from './support/baseline';
import { contenderFigures } from './support/contender-figures';
import { ScenarioMix } from './support/orders';
import { fixedRate, saturation, warmUp, type FixedRateFigures, type SaturationFigures } from './support/phase';
import { knob, loadAverage, machine, progressLine, writeResult } from './support/report';
import { abba, alternate, pairedRatio, settle, type Contender, type Slice } from './support/rounds';
import { spanExportTotals, spansPerOrder } from './support/spans';
import { round } from './support/stats';
import { startBenchSystem, type BenchSystem } from './support/system';

const RATE = knob('BENCH_RATE', 20);
const SECONDS = knob('BENCH_SECONDS', 10);
const CONCURRENCY = knob('BENCH_CONCURRENCY', 32);
const ROUNDS = knob('BENCH_ROUNDS', 4);
const WARMUP_SECONDS = knob('BENCH_WARMUP_SECONDS', 20);
/** Seconds of each saturation slice before measuring. */
const RAMP_SECONDS = knob('BENCH_RAMP_SECONDS', 5);
/** A slice counts as quiet when other work on the machine used at most this much CPU (% of one core). */
const QUIET_PERCENT = knob('BENCH_QUIET_PERCENT', 25);
/** Extra environment for the tracing-on system's apps, `K=V K2=V2` (e.g. a sampler), to measure a configuration. */
const TRACING_ENV = Object.fromEntries(
  (process.env.BENCH_TRACING_ENV ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || undefined;
const PROFILE_APPS = process.env.BENCH_PROFILE_APPS?.split(',').filter(Boolean) as AppName[] | undefined;
/**
 * Hops on the path from `POST /orders` to `order.completed` in choreography: the HTTP request to
 * orders, then order.placed → payments, payment.authorized → seller, stock.reserved → logistics,
 * shipment.scheduled → orders (each a JetStream publish and a consumer's delivery).
 */
const HOPS = 5;
const say = progressLine('tracing');
/** The Node.js of the `on`/`off` systems, and of `on-b`/`off-b` when BENCH_NODE_B names one. */
const NODE_A = nodeRuntime();
const NODE_B = process.env.BENCH_NODE_B ? nodeRuntime(process.env.BENCH_NODE_B) : undefined;

type Mode = 'on' | 'off' | 'baseline' | 'on-b' | 'off-b';
interface Tracing extends Contender {
  name: Mode;
  target: LoadTarget;
}
type Slices<T> = Slice<Mode, T>[];

async function start(mode: Mode, watchers: OutcomeWatcher[], systems: BenchSystem[]): Promise<Tracing> {
  const tracing = mode !== 'off' && mode !== 'off-b';
  const what = tracing ? 'on (exporting to Jaeger)' : 'off (OTEL_SDK_DISABLED=true, no Jaeger)';
  const node = mode.endsWith('-b') ? NODE_B : mode === 'baseline' ? undefined : NODE_A;
  const where = mode === 'baseline' ? ` from ${BASELINE_DIR}` : ` on Node ${node!.version} ${node!.args.join(' ')}`;
  say(`${mode}: starting a system${where}, tracing ${what}`);
  const appEnv = tracing ? TRACING_ENV : undefined;
  const starter = mode === 'baseline' ? baselineStarter(BASELINE_DIR!) : startBenchSystem;
  const sys = await starter({
    tracing,
    label: `tracing-${mode}`,
    appEnv,
    node,
    profileDir: PROFILE_DIR,
    profileApps: PROFILE_APPS,
    onProgress: (m) => say(`${mode}: ${m}`),
  });
  systems.push(sys);
  const watcher = await OutcomeWatcher.connect(sys.natsConnect);
  watchers.push(watcher);
  return {
    name: mode,
    sys,
    target: loadTarget({
      ordersUrl: sys.ordersUrl,
      watcher,
      idPrefix: `tr-${mode}`,
      mix: new ScenarioMix({ happy: 1 }),
      style: 'choreography',
    }),
  };
}

/** Over the mode's quiet slices (all when none was), the median of the slices' figures. */
function byMode(fixed: Slices<FixedRateFigures>, saturated: Slices<SaturationFigures>, mode: Mode) {
  return contenderFigures(fixed, saturated, mode, QUIET_PERCENT).figures;
}

function compare(fixed: Slices<FixedRateFigures>, saturated: Slices<SaturationFigures>) {
  const [on, off] = [byMode(fixed, saturated, 'on'), byMode(fixed, saturated, 'off')];
  const throughput = pairedRatio(saturated, 'on', 'off', (f) => f.ordersPerSecond, QUIET_PERCENT);
  // The throughput ratio of a system with the CPU to itself: the same orders cost this much more CPU.
  const cpu = pairedRatio(saturated, 'off', 'on', (f) => f.cpuMsPerOrder.total, QUIET_PERCENT);
  const [p50Delta, p99Delta] = [on.p50Ms - off.p50Ms, on.p99Ms - off.p99Ms];
  return {
    on,
    off,
    nodes: { a: NODE_A, b: NODE_B },
    ...againstBaseline(fixed, saturated),
    ...secondNode(fixed, saturated),
    throughputRatioOnOff: throughput.mean,
    cpuPerOrderRatioOffOn: cpu.mean,
    quietRounds: throughput.quietRounds,
    perRound: throughput.rounds.map((r, i) => ({ ...r, cpuPerOrderRatioOffOn: cpu.rounds[i]?.ratio })),
    p50DeltaMs: round(p50Delta),
    p90DeltaMs: round(on.p90Ms - off.p90Ms),
    p99DeltaMs: round(p99Delta),
    hops: HOPS,
    p50DeltaPerHopMs: round(p50Delta / HOPS, 2),
    p90DeltaPerHopMs: round((on.p90Ms - off.p90Ms) / HOPS, 2),
    p99DeltaPerHopMs: round(p99Delta / HOPS, 2),
    targets: {
      throughputRatioAtLeast: 0.9,
      p99PerHopAtMostMs: 1,
      throughputMet: throughput.mean >= 0.9,
      cpuRatioMet: cpu.mean >= 0.9,
      latencyMet: p99Delta / HOPS <= 1,
    },
  };
}

/** This commit (tracing on) against the baseline's (tracing on), when one ran: CPU per order and throughput. */
function againstBaseline(fixed: Slices<FixedRateFigures>, saturated: Slices<SaturationFigures>) {
  if (!saturated.some((s) => s.name === 'baseline')) return {};
  const cpu = pairedRatio(saturated, 'on', 'baseline', (f) => f.cpuMsPerOrder.total, QUIET_PERCENT);
  const throughput = pairedRatio(saturated, 'on', 'baseline', (f) => f.ordersPerSecond, QUIET_PERCENT);
  return {
    baseline: { dir: BASELINE_DIR, ...byMode(fixed, saturated, 'baseline') },
    cpuPerOrderRatioOnBaseline: cpu.mean,
    throughputRatioOnBaseline: throughput.mean,
    cpuRatioPerRoundOnBaseline: cpu.rounds,
  };
}

/** The apps on the second Node (BENCH_NODE_B) against the first, when they ran: same figures, same rounds. */
function secondNode(fixed: Slices<FixedRateFigures>, saturated: Slices<SaturationFigures>) {
  if (!saturated.some((s) => s.name === 'on-b')) return {};
  const [onB, offB] = [byMode(fixed, saturated, 'on-b'), byMode(fixed, saturated, 'off-b')];
  const ratio = (a: Mode, b: Mode, value: (f: SaturationFigures) => number) =>
    pairedRatio(saturated, a, b, value, QUIET_PERCENT);
  const throughputB = ratio('on-b', 'off-b', (f) => f.ordersPerSecond);
  return {
    onB,
    offB,
    nodeB: {
      throughputRatioOnOff: throughputB.mean,
      throughputRatioOnOffPerRound: throughputB.rounds,
      cpuPerOrderRatioOffOn: ratio('off-b', 'on-b', (f) => f.cpuMsPerOrder.total).mean,
      cpuPerOrderOnBOverOnA: ratio('on-b', 'on', (f) => f.cpuMsPerOrder.total).mean,
      cpuPerOrderOffBOverOffA: ratio('off-b', 'off', (f) => f.cpuMsPerOrder.total).mean,
      throughputOnBOverOnA: ratio('on-b', 'on', (f) => f.ordersPerSecond).mean,
      p99DeltaPerHopMs: round((onB.p99Ms - offB.p99Ms) / HOPS, 2),
      p50DeltaPerHopMs: round((onB.p50Ms - offB.p50Ms) / HOPS, 2),
      ...(saturated.some((s) => s.name === 'baseline')
        ? { cpuPerOrderRatioOnBBaseline: ratio('on-b', 'baseline', (f) => f.cpuMsPerOrder.total).mean }
        : {}),
    },
  };
}

function printTables(summary: ReturnType<typeof compare>): void {
  const row = (m: ReturnType<typeof byMode>) => ({
    'saturation (orders/s)': m.saturationOrdersPerSecond,
    'CPU per order (ms)': m.cpuMsPerOrder,
    'of which user / system (ms)': `${m.cpuUserMsPerOrder} / ${m.cpuSystemMsPerOrder}`,
    'NATS messages per order (saturation / fixed)': `${m.natsMessagesPerOrder.saturation} / ${m.natsMessagesPerOrder.fixedRate}`,
    [`p50 at ${RATE}/s (ms)`]: m.p50Ms,
    [`p90 at ${RATE}/s (ms)`]: m.p90Ms,
    [`p99 at ${RATE}/s (ms)`]: m.p99Ms,
    'redeliveries / 100 orders': m.redeliveriesPer100Orders.fixedRate,
    'p99 saturated (ms)': m.saturationP99Ms,
    'other work (% CPU)': m.otherCpuPercent.saturation,
  });
  const baseline = summary.baseline ? { 'baseline, tracing on': row(summary.baseline) } : {};
  const [a, b] = [`Node ${NODE_A.version}`, `Node ${NODE_B?.version}`];
  const second =
    summary.onB && summary.offB
      ? { [`tracing on, ${b}`]: row(summary.onB), [`tracing off, ${b}`]: row(summary.offB) }
      : {};
  console.table({
    [`tracing on, ${a}`]: row(summary.on),
    [`tracing off, ${a}`]: row(summary.off),
    ...second,
    ...baseline,
  });
  say('NATS messages per order at saturation, by client connection:');
  console.table({
    [`tracing on, ${a}`]: summary.on.natsMessagesPerOrderByClient,
    [`tracing off, ${a}`]: summary.off.natsMessagesPerOrderByClient,
    ...(summary.onB ? { [`tracing on, ${b}`]: summary.onB.natsMessagesPerOrderByClient } : {}),
    ...(summary.baseline ? { 'baseline, tracing on': summary.baseline.natsMessagesPerOrderByClient } : {}),
  });
  if (summary.nodeB)
    console.table({
      [`throughput ratio on/off, ${b}`]: summary.nodeB.throughputRatioOnOff,
      [`CPU per order on, ${b} / ${a}`]: summary.nodeB.cpuPerOrderOnBOverOnA,
      [`CPU per order off, ${b} / ${a}`]: summary.nodeB.cpuPerOrderOffBOverOffA,
      [`saturation on, ${b} / ${a}`]: summary.nodeB.throughputOnBOverOnA,
      [`p50 / p99 difference per hop, ${b} (ms)`]: `${summary.nodeB.p50DeltaPerHopMs} / ${summary.nodeB.p99DeltaPerHopMs}`,
      ...(summary.nodeB.cpuPerOrderRatioOnBBaseline !== undefined
        ? { [`CPU per order on, ${b} / baseline`]: summary.nodeB.cpuPerOrderRatioOnBBaseline }
        : {}),
    });
  if (summary.baseline)
    console.table({
      'CPU per order on / baseline (target ≤ 0.4)': summary.cpuPerOrderRatioOnBaseline,
      'saturation on / baseline': summary.throughputRatioOnBaseline,
    });
  console.table({
    'throughput ratio on/off (target ≥ 0.90)': summary.throughputRatioOnOff,
    'CPU per order off/on (ratio when CPU-bound)': summary.cpuPerOrderRatioOffOn,
    'throughput ratio per round': summary.perRound.map((r) => `${r.ratio}${r.quiet ? '' : ' (noisy)'}`).join(', '),
    [`quiet rounds (other work ≤ ${QUIET_PERCENT} %)`]: `${summary.quietRounds} of ${summary.perRound.length}`,
    'p50 / p90 / p99 difference (ms)': `${summary.p50DeltaMs} / ${summary.p90DeltaMs} / ${summary.p99DeltaMs}`,
    'p50 / p90 difference per hop (ms)': `${summary.p50DeltaPerHopMs} / ${summary.p90DeltaPerHopMs}`,
    [`p99 difference per hop, ${HOPS} hops (ms, target ≤ 1)`]: summary.p99DeltaPerHopMs,
  });
}

/** The spans the tracing-on system exported and dropped, and how many Jaeger holds per sampled order. */
async function spanCheck(on: Tracing, fixed: Slices<FixedRateFigures>, saturated: Slices<SaturationFigures>) {
  const ids = [...fixed, ...saturated]
    .filter((s) => s.name === 'on')
    .flatMap((s) => s.figures.sampleOrderIds.slice(0, 2));
  const perOrder = on.sys.jaegerQueryUrl ? await spansPerOrder(on.sys.jaegerQueryUrl, ids) : undefined;
  const totals = await spanExportTotals(on.sys.appUrls);
  say(
    `on: spans exported ${totals.exported}, failed ${totals.failed}, dropped ${totals.dropped}; in Jaeger per sampled order: ${perOrder?.join(', ') ?? '?'}`,
  );
  return { ...totals, perSampledOrder: perOrder };
}

async function main(): Promise<void> {
  const startLoad = loadAverage();
  say(`machine ${JSON.stringify(machine())}, load ${startLoad.join(' ')}`);
  say(
    `${ROUNDS} rounds; slices of ${SECONDS} s: ${RATE} orders/s, then ${CONCURRENCY} in flight (after ${RAMP_SECONDS} s of ramp); choreography, happy orders`,
  );
  if (Object.keys(TRACING_ENV).length) say(`tracing-on apps also get ${JSON.stringify(TRACING_ENV)}`);
  const [watchers, systems]: [OutcomeWatcher[], BenchSystem[]] = [[], []];
  try {
    const contenders: Tracing[] = [await start('on', watchers, systems), await start('off', watchers, systems)];
    if (NODE_B) contenders.push(await start('on-b', watchers, systems), await start('off-b', watchers, systems));
    if (BASELINE_DIR) contenders.push(await start('baseline', watchers, systems));
    for (const c of [...contenders].reverse()) {
      // the first to be measured is the last warmed
      say(`${c.name}: warming up for ${WARMUP_SECONDS} s`);
      await warmUp(c.target, WARMUP_SECONDS, CONCURRENCY);
      await settle(c.sys);
      const skip = c.sys.secondsIntoProfile();
      if (skip !== undefined)
        say(`${c.name}: measuring starts ${skip} s into its profiles (profile-summary --skip=${skip})`);
    }
    const fixed = await alternate(contenders, ROUNDS, async (c, label) => {
      const f = await fixedRate(c.target, c.sys, RATE, SECONDS, say, label);
      say(
        `${label}: fixed ${RATE}/s: p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms; ${f.redeliveriesPer100Orders} redeliveries per 100 orders; other work on the machine ${f.interference.otherPercent} % CPU`,
      );
      return f;
    });
    const saturated = await alternate(contenders, ROUNDS, async (c, label) => {
      const s = await saturation(c.target, c.sys, CONCURRENCY, SECONDS, RAMP_SECONDS, say, label);
      say(
        `${label}: saturation: ${s.ordersPerSecond} completed orders/s; CPU % ${JSON.stringify(s.cpuPercent)}, other work ${s.interference.otherPercent}, steal ${s.interference.stealPercent}`,
      );
      return s;
    });
    const spans = await spanCheck(contenders[0], fixed, saturated);
    const summary = compare(fixed, saturated);
    printTables(summary);
    writeResult(
      'tracing-overhead',
      {
        machine: machine(),
        loadAverage: { atStart: startLoad, atEnd: loadAverage() },
        settings: {
          rate: RATE,
          seconds: SECONDS,
          concurrency: CONCURRENCY,
          rounds: ROUNDS,
          warmupSeconds: WARMUP_SECONDS,
          rampSeconds: RAMP_SECONDS,
          quietPercent: QUIET_PERCENT,
          style: 'choreography',
          scenario: 'happy',
          tracingEnv: TRACING_ENV,
          order: abba(
            contenders.map((c) => c.name),
            ROUNDS,
          ).map((s) => s.contender),
        },
        ...summary,
        spans,
        fixedRateSlices: fixed,
        saturationSlices: saturated,
        at: new Date().toISOString(),
      },
      say,
    );
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
    for (const sys of systems) await sys.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
