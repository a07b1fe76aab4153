// Benchmark (not a test): choreography against orchestration on one system (every app, real
// nats-server, tracing on as deployed), same scenario mix (70% happy, 10% each failure). The styles
// take turns in slices (choreography, orchestration, orchestration, choreography, …): end-to-end
// latency at a fixed rate, then finished orders per second at saturation. `npm run bench:styles`.
// With BENCH_BASELINE_DIR (a built worktree of an earlier commit) a second system from that commit
// takes its turns too, each style on it (`baseline-choreography`, `baseline-orchestration`): CPU and
// NATS messages per order of each style against that commit's, in the same run.
import type { AppName } from '../deploy/launch/apps';
import { BASELINE_DIR, baselineStarter } from './support/baseline';
import { loadTarget, type LoadTarget } from './support/load';
import { OutcomeWatcher } from './support/outcomes';
import { contenderFigures } from './support/contender-figures';
import { SCENARIOS, ScenarioMix, type Style } from './support/orders';
import {
  fixedRate,
  latencies,
  saturation,
  warmUp,
  type FixedRateFigures,
  type SaturationFigures,
} from './support/phase';
import { knob, loadAverage, machine, progressLine, writeResult } from './support/report';
import { abba, alternate, pairedRatio, settle, type Contender, type Slice } from './support/rounds';
import { spanExportTotals } from './support/spans';
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
const TRACING = process.env.BENCH_TRACING !== 'off';
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || undefined;
const PROFILE_APPS = process.env.BENCH_PROFILE_APPS?.split(',').filter(Boolean) as AppName[] | undefined;
const MIX = { happy: 7, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 };
const say = progressLine('styles');

type Name = Style | `baseline-${Style}`;
interface StyleContender extends Contender {
  name: Name;
  target: LoadTarget;
}
type Slices<T> = Slice<Name, T>[];

/** Over the style's quiet slices (all when none was), the median of the slices' figures; per scenario, their orders pooled (a slice has few of each). */
function byStyle(fixed: Slices<FixedRateFigures>, saturated: Slices<SaturationFigures>, style: Name) {
  const { figures, pooled } = contenderFigures(fixed, saturated, style, QUIET_PERCENT);
  const scenarios = SCENARIOS.map((sc) => {
    const { p50, p90, p99, samples } = latencies(pooled.filter((r) => r.scenario === sc));
    return [sc, { orders: samples, p50Ms: p50, p90Ms: p90, p99Ms: p99 }];
  });
  return {
    ...figures,
    byScenario: Object.fromEntries(scenarios) as Record<
      (typeof SCENARIOS)[number],
      { orders: number; p50Ms: number; p90Ms: number; p99Ms: number }
    >,
  };
}

type StyleFigures = ReturnType<typeof byStyle>;

function printTables(
  choreography: StyleFigures,
  orchestration: StyleFigures,
  baseline?: { choreography: StyleFigures; orchestration: StyleFigures },
): void {
  const row = (s: StyleFigures) => ({
    [`p50 at ${RATE}/s (ms)`]: s.p50Ms,
    [`p90 at ${RATE}/s (ms)`]: s.p90Ms,
    [`p99 at ${RATE}/s (ms)`]: s.p99Ms,
    'redeliveries / 100 orders': s.redeliveriesPer100Orders.fixedRate,
    'p50 / p99 to notified (ms)': `${s.notifiedP50Ms} / ${s.notifiedP99Ms}`,
    'saturation (orders/s)': s.saturationOrdersPerSecond,
    'p99 saturated (ms)': s.saturationP99Ms,
    'CPU per order (ms)': s.cpuMsPerOrder,
    'of which user / system (ms)': `${s.cpuUserMsPerOrder} / ${s.cpuSystemMsPerOrder}`,
    'NATS messages per order (saturation / fixed)': `${s.natsMessagesPerOrder.saturation} / ${s.natsMessagesPerOrder.fixedRate}`,
    'other work (% CPU)': s.otherCpuPercent.saturation,
  });
  console.table({
    choreography: row(choreography),
    orchestration: row(orchestration),
    ...(baseline
      ? {
          'baseline, choreography': row(baseline.choreography),
          'baseline, orchestration': row(baseline.orchestration),
        }
      : {}),
  });
  say('NATS messages per order at saturation, by client connection:');
  console.table({
    choreography: choreography.natsMessagesPerOrderByClient,
    orchestration: orchestration.natsMessagesPerOrderByClient,
    ...(baseline
      ? {
          'baseline, choreography': baseline.choreography.natsMessagesPerOrderByClient,
          'baseline, orchestration': baseline.orchestration.natsMessagesPerOrderByClient,
        }
      : {}),
  });
  const perScenario = (s: StyleFigures) =>
    Object.fromEntries(SCENARIOS.map((sc) => [sc, `${s.byScenario[sc].p50Ms} / ${s.byScenario[sc].p99Ms}`]));
  say(`p50 / p99 (ms) per scenario at ${RATE}/s:`);
  console.table({ choreography: perScenario(choreography), orchestration: perScenario(orchestration) });
}

/** Both styles on one system: this commit's, or the baseline's (their names prefixed `baseline-`). */
function styleContenders(sys: BenchSystem, watcher: OutcomeWatcher, baseline: boolean): StyleContender[] {
  return (['choreography', 'orchestration'] as const).map((style) => ({
    name: baseline ? (`baseline-${style}` as const) : style,
    sys,
    target: loadTarget({
      ordersUrl: sys.ordersUrl,
      watcher,
      idPrefix: `st-${baseline ? 'b' : ''}${style.slice(0, 5)}`,
      mix: new ScenarioMix(MIX),
      style,
    }),
  }));
}

async function measure(contenders: StyleContender[], sys: BenchSystem) {
  for (const c of [...contenders].reverse()) {
    // the first to be measured is the last warmed
    say(`${c.name}: warming up for ${WARMUP_SECONDS} s`);
    await warmUp(c.target, WARMUP_SECONDS, CONCURRENCY);
  }
  for (const system of new Set(contenders.map((c) => c.sys))) await settle(system);
  const skip = sys.secondsIntoProfile();
  if (skip !== undefined) say(`measuring starts ${skip} s into the profiles (profile-summary --skip=${skip})`);
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
      `${label}: saturation: ${s.ordersPerSecond} finished orders/s; CPU % ${JSON.stringify(s.cpuPercent)}, other work ${s.interference.otherPercent}, steal ${s.interference.stealPercent}`,
    );
    return s;
  });
  return { fixed, saturated };
}

async function main(): Promise<void> {
  const startLoad = loadAverage();
  const mix = new ScenarioMix(MIX);
  say(`machine ${JSON.stringify(machine())}, load ${startLoad.join(' ')}`);
  say(
    `${ROUNDS} rounds; slices of ${SECONDS} s: ${RATE} orders/s, then ${CONCURRENCY} in flight (after ${RAMP_SECONDS} s of ramp); mix ${mix.describe()}; tracing ${TRACING ? 'on' : 'off'}`,
  );
  const sys = await startBenchSystem({
    tracing: TRACING,
    label: 'styles',
    profileDir: PROFILE_DIR,
    profileApps: PROFILE_APPS,
    onProgress: say,
  });
  const watchers: OutcomeWatcher[] = [];
  let baselineSys: BenchSystem | undefined;
  try {
    watchers.push(await OutcomeWatcher.connect(sys.natsConnect));
    const contenders = styleContenders(sys, watchers[0], false);
    if (BASELINE_DIR) {
      say(`baseline: starting a system from ${BASELINE_DIR}`);
      baselineSys = await baselineStarter(BASELINE_DIR)({
        tracing: TRACING,
        label: 'styles-baseline',
        onProgress: (m) => say(`baseline: ${m}`),
      });
      watchers.push(await OutcomeWatcher.connect(baselineSys.natsConnect));
      contenders.push(...styleContenders(baselineSys, watchers[1], true));
    }
    const { fixed, saturated } = await measure(contenders, sys);
    const spans = TRACING ? await spanExportTotals(sys.appUrls) : undefined;
    if (spans) say(`spans exported ${spans.exported}, failed ${spans.failed}, dropped ${spans.dropped}`);
    const [choreography, orchestration] = [
      byStyle(fixed, saturated, 'choreography'),
      byStyle(fixed, saturated, 'orchestration'),
    ];
    const baseline = baselineSys
      ? {
          choreography: byStyle(fixed, saturated, 'baseline-choreography'),
          orchestration: byStyle(fixed, saturated, 'baseline-orchestration'),
        }
      : undefined;
    printTables(choreography, orchestration, baseline);
    const againstBaseline = baseline ? styleAgainstBaseline(saturated) : undefined;
    if (againstBaseline) console.table(againstBaseline);
    const throughput = pairedRatio(saturated, 'orchestration', 'choreography', (f) => f.ordersPerSecond, QUIET_PERCENT);
    const cpu = pairedRatio(saturated, 'choreography', 'orchestration', (f) => f.cpuMsPerOrder.total, QUIET_PERCENT);
    say(
      `saturation throughput orchestration / choreography: ${throughput.mean}, per round ${throughput.rounds.map((r) => `${r.ratio}${r.quiet ? '' : ' (noisy)'}`).join(', ')}`,
    );
    say(
      `CPU per order choreography / orchestration: ${cpu.mean}; quiet rounds (other work ≤ ${QUIET_PERCENT} %): ${throughput.quietRounds} of ${throughput.rounds.length}`,
    );
    writeResult(
      'styles',
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
          tracing: TRACING,
          mix: mix.describe(),
          order: abba(
            contenders.map((c) => c.name),
            ROUNDS,
          ).map((s) => s.contender),
        },
        choreography,
        orchestration,
        ...(baseline ? { baseline: { dir: BASELINE_DIR, ...baseline }, againstBaseline } : {}),
        throughputRatioOrchestrationOverChoreography: throughput.mean,
        cpuPerOrderRatioChoreographyOverOrchestration: cpu.mean,
        quietRounds: throughput.quietRounds,
        perRound: throughput.rounds.map((r, i) => ({
          ...r,
          cpuPerOrderRatioChoreographyOverOrchestration: cpu.rounds[i]?.ratio,
        })),
        p50DifferenceMs: round(orchestration.p50Ms - choreography.p50Ms),
        p90DifferenceMs: round(orchestration.p90Ms - choreography.p90Ms),
        p99DifferenceMs: round(orchestration.p99Ms - choreography.p99Ms),
        spans,
        fixedRateSlices: fixed,
        saturationSlices: saturated,
        at: new Date().toISOString(),
      },
      say,
    );
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
    await baselineSys?.stop();
    await sys.stop();
  }
}

/** Per style, this commit's CPU per order and throughput over the baseline's, paired by round. */
function styleAgainstBaseline(saturated: Slices<SaturationFigures>) {
  const ratios = (style: Style) => ({
    'CPU per order / baseline (target ≤ 0.4)': pairedRatio(
      saturated,
      style,
      `baseline-${style}`,
      (f) => f.cpuMsPerOrder.total,
      QUIET_PERCENT,
    ).mean,
    'saturation / baseline': pairedRatio(saturated, style, `baseline-${style}`, (f) => f.ordersPerSecond, QUIET_PERCENT)
      .mean,
  });
  return { choreography: ratios('choreography'), orchestration: ratios('orchestration') };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
