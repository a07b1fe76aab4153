import { EndedFlowAggregates } from './ended-flow-aggregates';
import type { FlowStatusChange } from './flow-queries';
import { OpenStepTally } from './open-step-tally';

const ended = (
  key: string,
  status: 'completed' | 'failed' | 'compensated',
  durationMs: number,
  minutesAgo = 0,
  failedStep: string | null = null,
): FlowStatusChange => {
  const endedAt = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return {
    definition: 'd',
    key,
    style: 'choreography',
    status,
    previous: 'running',
    firstPendingStep: null,
    failedStep,
    startedAt: endedAt,
    endedAt,
    durationMs,
  };
};

describe('ended flows over a time range', () => {
  it('counts by status and failed step, with duration percentiles within 20 %', () => {
    const aggregates = new EndedFlowAggregates();
    for (let i = 1; i <= 100; i++) aggregates.record(ended(`k${i}`, 'completed', i * 10));
    aggregates.record(ended('f', 'failed', 50, 0, 'payment'));
    aggregates.record(ended('c', 'compensated', 50, 0, 'stock'));
    const summary = aggregates.summary('d', 'choreography', 5 * 60_000);
    expect(summary.ended).toEqual({ completed: 100, failed: 1, compensated: 1 });
    expect(Object.fromEntries(summary.failedAt)).toEqual({
      payment: { failed: 1, compensated: 0 },
      stock: { failed: 0, compensated: 1 },
    });
    expect(summary.p50Ms! / 500).toBeGreaterThan(0.8);
    expect(summary.p50Ms! / 500).toBeLessThan(1.2);
    expect(summary.p95Ms! / 950).toBeGreaterThan(0.8);
    expect(summary.p95Ms! / 950).toBeLessThan(1.2);
  });

  it('leaves out what ended before the range, what is older than a day, and a re-announced end', () => {
    const aggregates = new EndedFlowAggregates();
    aggregates.record(ended('old', 'completed', 10, 30));
    aggregates.record(ended('ancient', 'completed', 10, 25 * 60));
    aggregates.record({ ...ended('again', 'completed', 10), previous: 'completed' });
    expect(aggregates.summary('d', 'choreography', 15 * 60_000).ended.completed).toBe(0);
    expect(aggregates.summary('d', 'choreography', 60 * 60_000).ended.completed).toBe(1);
    expect(aggregates.summary('d', 'orchestration', 60 * 60_000)).toMatchObject({ p50Ms: null, p95Ms: null });
  });
});

describe('open flows per step', () => {
  it('moves a flow between places and forgets it when it ends', () => {
    const tally = new OpenStepTally();
    const at = (step: string, status: 'running' | 'stalled') => ({
      definition: 'd',
      style: 'choreography' as const,
      step,
      status,
    });
    tally.set('a', at('payment', 'running'));
    tally.set('b', at('payment', 'running'));
    tally.set('a', at('stock', 'stalled'));
    expect(tally.counts()).toEqual([
      { ...at('payment', 'running'), count: 1 },
      { ...at('stock', 'stalled'), count: 1 },
    ]);
    tally.remove('a');
    tally.remove('b');
    expect(tally.counts()).toEqual([]);
  });
});
