// What the tracker benchmark prints and writes: issue 13's acceptance rows, and the result file.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../deploy/launch/binaries';
import type { Say } from './report';

/** The figures the acceptance names (null: the phase did not run or did not finish). */
export interface AcceptanceFigures {
  ratioForAwait?: number;
  ratioCallback?: number;
  rssOpenMiB?: number;
  /** The same once the tracker has been idle for a while (V8's memory reducer has run). */
  rssOpenIdleMiB?: number;
  endedRatio?: number | null;
  lagP99Ms?: number;
  lagRate: number;
}

/** One row per acceptance figure of issue 13: the value, what is required, whether it is met. */
export function acceptanceRows(f: AcceptanceFigures) {
  const row = (value: number | null | undefined, required: string, met: (v: number) => boolean) => ({
    value: value ?? null,
    required,
    met: value === null || value === undefined ? null : met(value),
  });
  return {
    'drain ratio tracker / plain (for await)': row(f.ratioForAwait, '>= 0.8', (v) => v >= 0.8),
    'drain ratio tracker / plain (callback)': row(f.ratioCallback, 'aim >= 1', (v) => v >= 1),
    'RSS MiB, 100,000 flows in progress (just caught up)': row(f.rssOpenMiB, '<= 250', (v) => v <= 250),
    'RSS MiB, 100,000 flows in progress (after 20 s idle)': row(f.rssOpenIdleMiB, '<= 250', (v) => v <= 250),
    'RSS ratio 1,000,000 / 100,000 ended flows': row(f.endedRatio, '0.9–1.1', (v) => v >= 0.9 && v <= 1.1),
    [`lag p99 ms at ${f.lagRate} events/s`]: row(f.lagP99Ms, '<= 50', (v) => v <= 50),
  };
}

/**
 * A complete run (every phase, acceptance sizes) goes to bench/results/tracker-throughput.json; a
 * smaller or partial one to the temp dir, so a smoke run never replaces the recorded figures.
 * BENCH_OUT overrides both.
 */
export function writeTrackerResult(result: object, complete: boolean, say: Say): void {
  const out =
    process.env.BENCH_OUT ??
    (complete
      ? path.join(REPO_ROOT, 'bench', 'results', 'tracker-throughput.json')
      : path.join(os.tmpdir(), 'tracker-throughput.partial.json'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ complete, ...result }, null, 2)}\n`);
  say(`written to ${out}`);
}
