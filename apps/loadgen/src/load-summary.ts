import type { FlowStyle } from '@flowscope/contracts';
import { SCENARIOS, type EntryPoint, type Scenario } from './load-options';

/** Where a run stands, every few seconds. */
export interface LoadProgress {
  elapsedSec: number;
  placed: number;
  poisoned: number;
  errors: number;
  /** Publications per second since the previous report. */
  ratePerSec: number;
}

/** How a run went (`--json` prints exactly this). */
export interface LoadSummary {
  idPrefix: string;
  entry: EntryPoint;
  targetRate: number;
  elapsedSec: number;
  /** Orders accepted: 201 from `POST /orders`, or stored by JetStream. */
  placed: number;
  /** Poison messages published in place of an order (`loadgen.poisonRate`). */
  poisoned: number;
  errors: number;
  /** Publications (orders and poison) per second over the run. */
  achievedRate: number;
  byStyle: Record<FlowStyle, number>;
  byScenario: Record<Scenario, number>;
  errorsByKind: Record<string, number>;
  lastError?: string;
  /** Stopped by Ctrl-C (or the caller's signal) before the duration or count was reached. */
  interrupted: boolean;
  /** Failure flags in force at the end (those above 0). */
  flags: Record<string, number>;
}

/** Counts a run's outcomes as they happen. */
export class LoadTally {
  placed = 0;
  poisoned = 0;
  errors = 0;
  readonly byStyle: Record<FlowStyle, number> = { choreography: 0, orchestration: 0 };
  readonly byScenario = Object.fromEntries(SCENARIOS.map((s) => [s, 0])) as Record<Scenario, number>;
  readonly errorsByKind: Record<string, number> = {};
  lastError?: string;
  private lastReport = { at: 0, published: 0 };

  constructor(private readonly startedAt: number) {
    this.lastReport.at = startedAt;
  }

  order(style: FlowStyle, scenario: Scenario): void {
    this.placed++;
    this.byStyle[style]++;
    this.byScenario[scenario]++;
  }

  error(kind: string, message: string): void {
    this.errors++;
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
    this.lastError = message;
  }

  progress(now: number): LoadProgress {
    const published = this.placed + this.poisoned;
    const seconds = Math.max(1e-3, (now - this.lastReport.at) / 1000);
    const ratePerSec = round((published - this.lastReport.published) / seconds);
    this.lastReport = { at: now, published };
    return {
      elapsedSec: round((now - this.startedAt) / 1000),
      placed: this.placed,
      poisoned: this.poisoned,
      errors: this.errors,
      ratePerSec,
    };
  }

  summary(
    now: number,
    run: Pick<LoadSummary, 'idPrefix' | 'entry' | 'targetRate' | 'interrupted' | 'flags'>,
  ): LoadSummary {
    const elapsedSec = round((now - this.startedAt) / 1000);
    const { placed, poisoned, errors, byStyle, byScenario, errorsByKind, lastError } = this;
    const achievedRate = round((placed + poisoned) / Math.max(elapsedSec, 1e-3));
    return {
      ...run,
      elapsedSec,
      placed,
      poisoned,
      errors,
      achievedRate,
      byStyle,
      byScenario,
      errorsByKind,
      ...(lastError ? { lastError } : {}),
    };
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function formatProgress(p: LoadProgress): string {
  return `loadgen: ${p.elapsedSec.toFixed(1)} s  placed ${p.placed}  poison ${p.poisoned}  errors ${p.errors}  rate ${p.ratePerSec.toFixed(1)}/s`;
}

/** The summary for a person; `--json` prints the object instead. */
export function formatSummary(s: LoadSummary): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  return [
    `loadgen summary: ${s.idPrefix}-*, entry ${s.entry}, ${s.elapsedSec.toFixed(1)} s${s.interrupted ? ' (interrupted)' : ''}`,
    `  placed      ${s.placed}  (publications ${s.achievedRate.toFixed(1)}/s, target ${s.targetRate}/s)`,
    `  by style    ${list(s.byStyle)}`,
    `  by scenario ${list(s.byScenario)}`,
    `  poison      ${s.poisoned}`,
    `  errors      ${s.errors}${s.errors ? `  (${list(s.errorsByKind)}; last: ${s.lastError ?? ''})` : ''}`,
    `  flags       ${list(s.flags)}`,
  ].join('\n');
}
