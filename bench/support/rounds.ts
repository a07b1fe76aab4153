// Alternation: the contenders of a benchmark (tracing on / off, choreography / orchestration) take
// turns in short slices of one run, so a burst of other work on a shared machine hits both alike.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAverage } from './report';
import { cpuSeconds, type BenchSystem } from './system';

/** What takes turns: a name (`on`, `choreography`, …) and the system it loads. */
export interface Contender {
  name: string;
  sys: BenchSystem;
}

/** One contender's figures for one slice. */
export interface Slice<N extends string, T> {
  name: N;
  round: number;
  figures: T;
  /** 1, 5, 15 minute load averages right after the slice. */
  loadAverage: number[];
}

/**
 * Round r runs the contenders in their order when r is odd and reversed when even (a, b, c, c, b, a):
 * a linear drift cancels over an even number of rounds.
 */
export function abba<T>(contenders: readonly T[], rounds: number): { round: number; contender: T }[] {
  return Array.from({ length: rounds }, (_, i) => {
    const order = i % 2 === 0 ? contenders : [...contenders].reverse();
    return order.map((contender) => ({ round: i + 1, contender }));
  }).flat();
}

/** Runs `measure` for each contender in ABBA order, `rounds` times. */
export async function alternate<C extends Contender, T>(
  contenders: readonly C[],
  rounds: number,
  measure: (c: C, label: string) => Promise<T>,
): Promise<Slice<C['name'], T>[]> {
  const slices: Slice<C['name'], T>[] = [];
  for (const { round, contender: c } of abba(contenders, rounds)) {
    const label = `${c.name} #${round}`;
    const figures = await measure(c, label);
    slices.push({ name: c.name, round, figures, loadAverage: loadAverage() });
  }
  return slices;
}

/**
 * Waits until the system's processes have gone quiet (below `busyPercent` of one core together over
 * half a second): the trailing work of a slice (notifications, the tracker's ingestion, span
 * export) must not be billed to the next one. Gives up after `timeoutMs` and says how busy it was.
 */
export async function settle(sys: BenchSystem, busyPercent = 15, timeoutMs = 20_000): Promise<number> {
  // Gives up quietly: a system that stays busy (a stuck redelivery loop) shows in the next slice's figures.
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const before = total(cpuSeconds(sys.pids()));
    const from = performance.now();
    await sleep(500);
    const percent = ((total(cpuSeconds(sys.pids())) - before) / ((performance.now() - from) / 1000)) * 100;
    if (percent < busyPercent || performance.now() > deadline) return Math.round(percent);
  }
}

const total = (cpu: Record<string, number>) =>
  Object.entries(cpu).reduce((sum, [name, s]) => (name === 'bench' ? sum : sum + s), 0);

interface Disturbed {
  interference: { otherPercent: number };
}

/** The slices during which other work on the machine stayed at or under `limitPercent` of a core; all of them when none did. */
export function quiet<N extends string, T extends Disturbed>(
  slices: Slice<N, T>[],
  limitPercent: number,
): Slice<N, T>[] {
  const calm = slices.filter((s) => s.figures.interference.otherPercent <= limitPercent);
  return calm.length ? calm : slices;
}

/**
 * Per round, `value` of contender `a` over that of `b`, and their mean over the rounds where both
 * slices were quiet (over all rounds when none was). The order flips every round (ABBA), so with an
 * even number of rounds a steady drift (the apps still warming up, the stores growing) favours
 * each contender as often as the other and cancels out of the mean; a median would keep it.
 */
export function pairedRatio<N extends string, T extends Disturbed>(
  slices: Slice<N, T>[],
  a: N,
  b: N,
  value: (t: T) => number,
  limitPercent: number,
) {
  const rounds = [...new Set(slices.map((s) => s.round))].flatMap((round) => {
    const [x, y] = [a, b].map((name) => slices.find((s) => s.round === round && s.name === name));
    if (!x || !y) return [];
    const calm = Math.max(x.figures.interference.otherPercent, y.figures.interference.otherPercent) <= limitPercent;
    return [{ round, ratio: Math.round((value(x.figures) / value(y.figures)) * 1000) / 1000, quiet: calm }];
  });
  const used = rounds.filter((r) => r.quiet).length ? rounds.filter((r) => r.quiet) : rounds;
  const mean = used.reduce((sum, r) => sum + r.ratio, 0) / used.length;
  return { mean: Math.round(mean * 1000) / 1000, quietRounds: rounds.filter((r) => r.quiet).length, rounds };
}
