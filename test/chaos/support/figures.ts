import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where each chaos run leaves its figures (RELIABILITY.md quotes the last run's). */
export const RESULTS_DIR = path.join(__dirname, '..', 'results');

/** Writes `<RESULTS_DIR>/<name>.json` with the run's figures and when it ran. */
export function writeFigures(name: string, figures: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    path.join(RESULTS_DIR, `${name}.json`),
    `${JSON.stringify({ ranAt: new Date().toISOString(), ...figures }, null, 2)}\n`,
  );
}
