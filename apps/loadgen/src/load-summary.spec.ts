import { formatProgress, formatSummary, LoadTally } from './load-summary';

describe('LoadTally', () => {
  it('counts orders by style and scenario, and errors by kind with the last message', () => {
    const tally = new LoadTally(0);
    tally.order('choreography', 'happy');
    tally.order('orchestration', 'decline');
    tally.poisoned++;
    tally.error('http 503', 'POST /orders answered 503');
    const summary = tally.summary(2000, {
      idPrefix: 'lg-1',
      entry: 'http',
      targetRate: 2,
      interrupted: false,
      flags: { 'payment.declineRate': 0.2 },
    });
    expect(summary).toEqual({
      idPrefix: 'lg-1',
      entry: 'http',
      targetRate: 2,
      elapsedSec: 2,
      placed: 2,
      poisoned: 1,
      errors: 1,
      achievedRate: 1.5,
      byStyle: { choreography: 1, orchestration: 1 },
      byScenario: { happy: 1, decline: 1, 'out-of-stock': 0, 'shipping-failure': 0 },
      errorsByKind: { 'http 503': 1 },
      lastError: 'POST /orders answered 503',
      interrupted: false,
      flags: { 'payment.declineRate': 0.2 },
    });
    expect(formatSummary(summary)).toContain('errors      1  (http 503 1; last: POST /orders answered 503)');
  });

  it('reports the rate since the previous report', () => {
    const tally = new LoadTally(0);
    for (let i = 0; i < 10; i++) tally.order('choreography', 'happy');
    expect(tally.progress(5000)).toEqual({ elapsedSec: 5, placed: 10, poisoned: 0, errors: 0, ratePerSec: 2 });
    for (let i = 0; i < 20; i++) tally.order('choreography', 'happy');
    expect(formatProgress(tally.progress(10_000))).toBe('loadgen: 10.0 s  placed 30  poison 0  errors 0  rate 4.0/s');
  });
});
