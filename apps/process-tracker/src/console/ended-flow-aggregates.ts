import type { FlowStyle } from '@flowscope/contracts';
import type { FlowStatusChange } from './flow-queries';
import { ENDED_STATUSES, type EndedStatus } from './overview';

const BUCKET_MS = 60_000;
/** Longest range the overview offers: older buckets are dropped. */
const RETENTION_MS = 24 * 60 * 60_000;
/** Duration histogram: bucket i holds durations up to GROWTH^i ms (about ±10 % per estimate). */
const GROWTH = 1.2;
const MAX_BUCKET = Math.ceil(Math.log(7 * 24 * 3600_000) / Math.log(GROWTH));

interface MinuteBucket {
  start: number;
  ended: Record<EndedStatus, number>;
  /** step → flows that ended with it failed, by final status. */
  failedAt: Map<string, { failed: number; compensated: number }>;
  durations: Map<number, number>;
}

/** What ended in a range, for one definition and style. */
export interface EndedSummary {
  ended: Record<EndedStatus, number>;
  failedAt: Map<string, { failed: number; compensated: number }>;
  p50Ms: number | null;
  p95Ms: number | null;
}

/**
 * Flows that ended, per definition × style in one-minute buckets over the last 24 hours (memory:
 * at most 1440 buckets per definition and style, each a few counters and a sparse histogram).
 */
export class EndedFlowAggregates {
  private readonly series = new Map<string, MinuteBucket[]>();

  record(change: FlowStatusChange): void {
    if (!isEnded(change.status) || (change.previous !== null && isEnded(change.previous))) return;
    const at = Date.parse(change.endedAt ?? change.startedAt);
    if (!(at > Date.now() - RETENTION_MS)) return;
    const bucket = this.bucketAt(`${change.definition}|${change.style}`, at);
    bucket.ended[change.status]++;
    if (change.failedStep && change.status !== 'completed') {
      const counts = bucket.failedAt.get(change.failedStep) ?? { failed: 0, compensated: 0 };
      counts[change.status]++;
      bucket.failedAt.set(change.failedStep, counts);
    }
    if (change.durationMs !== null) {
      const i = Math.min(
        MAX_BUCKET,
        Math.max(0, Math.ceil(Math.log(Math.max(1, change.durationMs)) / Math.log(GROWTH))),
      );
      bucket.durations.set(i, (bucket.durations.get(i) ?? 0) + 1);
    }
  }

  summary(definition: string, style: FlowStyle, rangeMs: number, now = Date.now()): EndedSummary {
    const since = now - rangeMs;
    const ended = { completed: 0, failed: 0, compensated: 0 };
    const failedAt = new Map<string, { failed: number; compensated: number }>();
    const durations = new Map<number, number>();
    for (const bucket of this.series.get(`${definition}|${style}`) ?? []) {
      if (bucket.start + BUCKET_MS <= since) continue;
      for (const status of ENDED_STATUSES) ended[status] += bucket.ended[status];
      for (const [step, c] of bucket.failedAt) {
        const sum = failedAt.get(step) ?? { failed: 0, compensated: 0 };
        failedAt.set(step, { failed: sum.failed + c.failed, compensated: sum.compensated + c.compensated });
      }
      for (const [i, n] of bucket.durations) durations.set(i, (durations.get(i) ?? 0) + n);
    }
    return { ended, failedAt, p50Ms: percentile(durations, 0.5), p95Ms: percentile(durations, 0.95) };
  }

  private bucketAt(series: string, at: number): MinuteBucket {
    const buckets = this.series.get(series) ?? [];
    this.series.set(series, buckets);
    const start = at - (at % BUCKET_MS);
    let bucket = buckets.find((b) => b.start === start);
    if (!bucket) {
      bucket = { start, ended: { completed: 0, failed: 0, compensated: 0 }, failedAt: new Map(), durations: new Map() };
      buckets.push(bucket);
      buckets.sort((a, b) => a.start - b.start);
      const oldest = Date.now() - RETENTION_MS;
      while (buckets.length > 0 && buckets[0].start + BUCKET_MS < oldest) buckets.shift();
    }
    return bucket;
  }
}

const isEnded = (status: string): status is EndedStatus => (ENDED_STATUSES as readonly string[]).includes(status);

/** The histogram bucket's upper bound at rank q (nearest-rank), in ms. */
function percentile(histogram: Map<number, number>, q: number): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const i of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(i)!;
    if (seen >= rank) return Math.round(GROWTH ** i);
  }
  return null;
}
