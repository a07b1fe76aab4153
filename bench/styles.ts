// Benchmark (not a test): choreography against orchestration on the same system, same scenario mix
// (70% happy, 10% each failure), in one run. Each round starts a fresh system (tracing on, as
// deployed), warms up both styles, then per style (order alternating between rounds) measures
// end-to-end latency at a fixed rate and finished orders per second at saturation.
// `npm run bench:styles`.
import type { AppName } from '../deploy/launch/apps';
import { loadTarget, type LoadTarget } from './support/load';
import { OutcomeWatcher } from './support/outcomes';
import { SCENARIOS, ScenarioMix, type Style } from './support/orders';
import { fixedRate, saturation, warmUp, type FixedRateFigures, type SaturationFigures } from './support/phase';
import { knob, loadAverage, machine, progressLine, writeResult } from './support/report';
import { spanExportTotals } from './support/spans';
import { median, round } from './support/stats';
import { startBenchSystem, type BenchSystem } from './support/system';

const RATE = knob('BENCH_RATE', 40);
const SECONDS = knob('BENCH_SECONDS', 15);
const CONCURRENCY = knob('BENCH_CONCURRENCY', 32);
const ROUNDS = knob('BENCH_ROUNDS', 2);
const WARMUP_SECONDS = knob('BENCH_WARMUP_SECONDS', 5);
const TRACING = process.env.BENCH_TRACING !== 'off';
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || undefined;
const PROFILE_APPS = process.env.BENCH_PROFILE_APPS?.split(',').filter(Boolean) as AppName[] | undefined;
const MIX = { happy: 7, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 };
const say = progressLine('styles');

interface Measured {
  style: Style;
  round: number;
  fixedRate: FixedRateFigures;
  saturation: SaturationFigures;
  /** Spans every app exported, lost and dropped over the whole round (both styles); tracing on only. */
  spanExportOfRound?: { exported: number; failed: number; dropped: number };
}

async function measureStyle(sys: BenchSystem, target: LoadTarget, round: number): Promise<Measured> {
  const label = `${target.style} #${round}`;
  const fixed = await fixedRate(target, RATE, SECONDS, say, label);
  say(`${label}: fixed ${RATE}/s: p50 ${fixed.latencyMs.p50} ms, p99 ${fixed.latencyMs.p99} ms`);
  const saturated = await saturation(target, sys, CONCURRENCY, SECONDS, say, label);
  say(`${label}: saturation: ${saturated.ordersPerSecond} finished orders/s; CPU % ${JSON.stringify(saturated.cpuPercent)}`);
  return { style: target.style, round, fixedRate: fixed, saturation: saturated };
}

/** One fresh system; choreography first in odd rounds, orchestration first in even ones. */
async function runRound(round: number): Promise<Measured[]> {
  const styles: Style[] = round % 2 === 1 ? ['choreography', 'orchestration'] : ['orchestration', 'choreography'];
  say(`round ${round}: starting the system, tracing ${TRACING ? 'on' : 'off'}`);
  const sys = await startBenchSystem({ tracing: TRACING, label: `styles-${round}`, profileDir: PROFILE_DIR, profileApps: PROFILE_APPS, onProgress: (m) => say(`round ${round}: ${m}`) });
  let watcher: OutcomeWatcher | undefined;
  try {
    watcher = await OutcomeWatcher.connect(sys.natsConnect);
    const targets = styles.map((style) => loadTarget({ ordersUrl: sys.ordersUrl, watcher: watcher!, idPrefix: `st-${style.slice(0, 5)}-${round}`, mix: new ScenarioMix(MIX), style }));
    say(`round ${round}: warming up, ${WARMUP_SECONDS} s per style`);
    for (const target of targets) await warmUp(target, WARMUP_SECONDS, Math.min(8, CONCURRENCY));
    const skip = sys.secondsIntoProfile();
    if (skip !== undefined) say(`round ${round}: measuring starts ${skip} s into the profiles (profile-summary --skip=${skip})`);
    const out: Measured[] = [];
    for (const target of targets) out.push(await measureStyle(sys, target, round));
    if (TRACING) {
      const spans = await spanExportTotals(sys.appUrls);
      say(`round ${round}: spans exported ${spans.exported}, failed ${spans.failed}, dropped ${spans.dropped}`);
      for (const m of out) m.spanExportOfRound = spans;
    }
    return out;
  } finally {
    await watcher?.close();
    await sys.stop();
  }
}

function byStyle(all: Measured[], style: Style) {
  const mine = all.filter((m) => m.style === style);
  const med = (pick: (m: Measured) => number | undefined) => round(median(mine.flatMap((m) => pick(m) ?? [])));
  const scenarios = SCENARIOS.map((s) => [s, { p50Ms: med((m) => m.fixedRate.byScenario[s]?.p50), p99Ms: med((m) => m.fixedRate.byScenario[s]?.p99) }]);
  return {
    rounds: mine.length,
    p50Ms: med((m) => m.fixedRate.latencyMs.p50),
    p99Ms: med((m) => m.fixedRate.latencyMs.p99),
    notifiedP50Ms: med((m) => m.fixedRate.notifiedMs.p50),
    notifiedP99Ms: med((m) => m.fixedRate.notifiedMs.p99),
    saturationOrdersPerSecond: med((m) => m.saturation.ordersPerSecond),
    saturationP99Ms: med((m) => m.saturation.latencyMs.p99),
    byScenario: Object.fromEntries(scenarios) as Record<(typeof SCENARIOS)[number], { p50Ms: number; p99Ms: number }>,
  };
}

function printTables(choreography: ReturnType<typeof byStyle>, orchestration: ReturnType<typeof byStyle>): void {
  const row = (s: ReturnType<typeof byStyle>) => ({
    [`p50 at ${RATE}/s (ms)`]: s.p50Ms,
    [`p99 at ${RATE}/s (ms)`]: s.p99Ms,
    'p50 / p99 to notified (ms)': `${s.notifiedP50Ms} / ${s.notifiedP99Ms}`,
    'saturation (orders/s)': s.saturationOrdersPerSecond,
    'p99 saturated (ms)': s.saturationP99Ms,
  });
  console.table({ choreography: row(choreography), orchestration: row(orchestration) });
  const perScenario = (s: ReturnType<typeof byStyle>) => Object.fromEntries(SCENARIOS.map((sc) => [sc, `${s.byScenario[sc].p50Ms} / ${s.byScenario[sc].p99Ms}`]));
  say(`p50 / p99 (ms) per scenario at ${RATE}/s:`);
  console.table({ choreography: perScenario(choreography), orchestration: perScenario(orchestration) });
}

async function main(): Promise<void> {
  const startLoad = loadAverage();
  const mix = new ScenarioMix(MIX);
  say(`machine ${JSON.stringify(machine())}, load ${startLoad.join(' ')}`);
  say(`${ROUNDS} rounds; per style ${RATE} orders/s for ${SECONDS} s, then ${CONCURRENCY} in flight for ${SECONDS} s; mix ${mix.describe()}`);
  const all: Measured[] = [];
  for (let r = 1; r <= ROUNDS; r++) all.push(...(await runRound(r)));
  const [choreography, orchestration] = [byStyle(all, 'choreography'), byStyle(all, 'orchestration')];
  printTables(choreography, orchestration);
  const ratio = round(orchestration.saturationOrdersPerSecond / choreography.saturationOrdersPerSecond, 3);
  say(`saturation throughput orchestration / choreography: ${ratio}`);
  writeResult('styles', {
    machine: machine(),
    loadAverage: { atStart: startLoad, atEnd: loadAverage() },
    settings: { rate: RATE, seconds: SECONDS, concurrency: CONCURRENCY, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, tracing: TRACING, mix: mix.describe() },
    choreography,
    orchestration,
    throughputRatioOrchestrationOverChoreography: ratio,
    runs: all,
    at: new Date().toISOString(),
  }, say);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
