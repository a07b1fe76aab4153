// What every benchmark prints and writes: `[bench:<name>] ...` progress lines, the machine and its
// load, knobs from the environment, and JSON in bench/results/<name>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../deploy/launch/binaries';
import type { LoadTarget } from './load';

export type Say = (line: string) => void;

export function progressLine(name: string): Say {
  return (line) => process.stdout.write(`[bench:${name}] ${line}\n`);
}

/** A positive number from the environment, or `fallback`. */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a number above 0 (got ${JSON.stringify(raw)})`);
  return value;
}

/** The machine, for the report: CPU model and count, memory, node version, 1-minute load. */
export function machine() {
  const cpus = os.cpus();
  return {
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** The 1, 5 and 15 minute load averages (other work on this shared machine shows here). */
export const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

/** Prints how a load run goes every `everyMs` (counts since the call) until the returned function is called. */
export function tick(say: Say, label: string, target: LoadTarget, everyMs = 5000): () => void {
  const started = performance.now();
  const base = { ...target.counts };
  let [lastEnded, lastAt] = [base.ended, started];
  const timer = setInterval(() => {
    const now = performance.now();
    const { placed, ended, failed } = target.counts;
    const rate = ((ended - lastEnded) / (now - lastAt)) * 1000;
    [lastEnded, lastAt] = [ended, now];
    say(
      `${label}: ${((now - started) / 1000).toFixed(0)} s, placed ${placed - base.placed}, ended ${ended - base.ended} (${rate.toFixed(0)}/s), failed ${failed - base.failed}`,
    );
  }, everyMs);
  return () => clearInterval(timer);
}

export function writeResult(name: string, result: object, say: Say): void {
  const out = path.join(REPO_ROOT, 'bench', 'results', `${name}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, (key, value: unknown) => (key === 'raw' ? undefined : value), 2)}\n`);
  say(`written to ${path.relative(process.cwd(), out)}`);
}
