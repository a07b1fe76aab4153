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

/** Round r runs the contenders in order a, b when r is odd and b, a when even: a linear drift cancels. */
export function abba<T>(contenders: readonly [T, T], rounds: number): { round: number; contender: T }[] {
  return Array.from({ length: rounds }, (_, i) => {
    const order = i % 2 === 0 ? contenders : [contenders[1], contenders[0]];
    return order.map((contender) => ({ round: i + 1, contender }));
  }).flat();
}

/** Runs `measure` for each contender in ABBA order, `rounds` times. */
export async function alternate<C extends Contender, T>(contenders: readonly [C, C], rounds: number, measure: (c: C, label: string) => Promise<T>): Promise<Slice<C['name'], T>[]> {
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

const total = (cpu: Record<string, number>) => Object.entries(cpu).reduce((sum, [name, s]) => (name === 'bench' ? sum : sum + s), 0);
