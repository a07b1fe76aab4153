// A baseline contender: an earlier commit of Flowscope, checked out in a git worktree and built
// there (`npm ci && npm run bench:build`). Its own startBenchSystem starts its apps from its own
// dist/ (the launcher finds the repository from where its code lives), so both run side by side.
import path from 'node:path';
import type { BenchSystemOptions, BenchSystem } from './system';

/** `BENCH_BASELINE_DIR`, e.g. /work/wt/baseline-5b51e14; unset: no baseline contender. */
export const BASELINE_DIR = process.env.BENCH_BASELINE_DIR || undefined;

export type StartBenchSystem = (options: BenchSystemOptions) => Promise<BenchSystem>;

/** The baseline worktree's startBenchSystem (its figures and BenchSystem have the same shape). */
export function baselineStarter(dir: string): StartBenchSystem {
  const entry = path.resolve(dir, 'dist', 'bench', 'support', 'system.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- another build's code, found at run time
  return (require(entry) as { startBenchSystem: StartBenchSystem }).startBenchSystem;
}
