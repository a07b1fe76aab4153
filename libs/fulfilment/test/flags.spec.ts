import { register } from 'prom-client';
import { FailureFlags, FLAG_KEYS, parseFlag, seededRandom, type FlagLog } from '../src';

/** A log that keeps what it was told, for assertions. */
function recordingLog(): FlagLog & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (m) => warnings.push(m), log: (m) => infos.push(m) };
}

describe('parseFlag', () => {
  it.each([
    ['payment.declineRate', '0.2', 0.2],
    ['seller.outOfStockRate', '1', 1],
    ['logistics.failureRate', ' 0 ', 0],
    ['loadgen.poisonRate', '.5', 0.5],
    ['payments.dropRate', '1e-1', 0.1],
    ['notification.latencyMs', '250', 250],
    ['seller.latencyMs', '60000', 60_000],
    ['logistics.latencyMs', '12.5', 12.5],
  ])('accepts %s = %j', (key, raw, value) => {
    expect(parseFlag(key, raw)).toEqual({ ok: true, key, value });
  });

  it.each([
    ['payment.declineRate', '1.01', 'a rate must be between 0 and 1, not 1.01'],
    ['payment.declineRate', '-0.1', 'a rate must be between 0 and 1, not -0.1'],
    ['payments.latencyMs', '60001', 'a latency must be between 0 and 60000 ms, not 60001'],
    ['payments.latencyMs', '-1', 'a latency must be between 0 and 60000 ms, not -1'],
    ['payment.declineRate', 'abc', '"abc" is not a number'],
    ['payment.declineRate', '', '"" is not a number'],
    ['payment.declineRate', '0x1', '"0x1" is not a number'],
    ['payment.declineRate', 'Infinity', '"Infinity" is not a number'],
    ['payment.declineRate', '20%', '"20%" is not a number'],
  ])('refuses %s = %j: %s', (key, raw, reason) => {
    expect(parseFlag(key, raw)).toEqual({ ok: false, key, reason });
  });

  it('refuses an unknown key and lists the known ones', () => {
    const parsed = parseFlag('payment.declinerate', '0.2');
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringContaining('unknown flag') });
    expect(!parsed.ok && parsed.reason).toContain('payment.declineRate');
  });

  it('shortens a long value in the reason', () => {
    const parsed = parseFlag('payment.declineRate', 'x'.repeat(500));
    expect(!parsed.ok && parsed.reason.length).toBeLessThan(80);
  });

  it('knows a latency and a drop rate for each of the four services', () => {
    for (const service of ['payments', 'seller', 'logistics', 'notification']) {
      expect(FLAG_KEYS).toEqual(expect.arrayContaining([`${service}.latencyMs`, `${service}.dropRate`]));
    }
    expect(FLAG_KEYS).toHaveLength(4 * 2 + 4);
  });
});

describe('FailureFlags', () => {
  it('with nothing set, every flag is 0 and nothing rolls', () => {
    const flags = new FailureFlags({ random: () => 0, log: recordingLog() });
    expect(Object.values(flags.snapshot())).toEqual(FLAG_KEYS.map(() => 0));
    expect(flags.rolls('payment.declineRate', 'o-1')).toBe(false);
  });

  it('a rate rolls when the random source falls below it', () => {
    let next = 0.19;
    const flags = new FailureFlags({ random: () => next, log: recordingLog() });
    flags.apply('payment.declineRate', '0.2');
    expect(flags.rolls('payment.declineRate', 'o-1')).toBe(true);
    next = 0.2;
    expect(flags.rolls('payment.declineRate', 'o-1')).toBe(false);
  });

  it('seeds the random source with the flag and the decision, so flags roll independently', () => {
    const seeds: string[] = [];
    const flags = new FailureFlags({ random: (seed) => (seeds.push(seed), 0), log: recordingLog() });
    flags.apply('payment.declineRate', '1');
    flags.apply('logistics.failureRate', '1');
    flags.rolls('payment.declineRate', 'o-7');
    flags.rolls('logistics.failureRate', 'o-7');
    expect(seeds).toEqual(['payment.declineRate/o-7', 'logistics.failureRate/o-7']);
  });

  it('an invalid value is logged with the key and the reason, and the previous value stays', () => {
    const log = recordingLog();
    const flags = new FailureFlags({ log });
    expect(flags.apply('payments.latencyMs', '100')).toBe(true);
    expect(flags.apply('payments.latencyMs', '999999')).toBe(false);
    expect(flags.apply('payments.latencyMs', 'soon')).toBe(false);
    expect(flags.value('payments.latencyMs')).toBe(100);
    expect(log.warnings).toEqual([
      'failure flag payments.latencyMs ignored: a latency must be between 0 and 60000 ms, not 999999; keeps 100',
      'failure flag payments.latencyMs ignored: "soon" is not a number; keeps 100',
    ]);
  });

  it('an unknown key is logged and changes nothing', () => {
    const log = recordingLog();
    const flags = new FailureFlags({ log });
    expect(flags.apply('payments.declineRate', '1')).toBe(false);
    expect(log.warnings[0]).toMatch(/^failure flag payments\.declineRate ignored: unknown flag/);
    expect(Object.values(flags.snapshot()).every((v) => v === 0)).toBe(true);
  });

  it('a deleted key means no failure again', () => {
    const log = recordingLog();
    const flags = new FailureFlags({ random: () => 0, log });
    flags.apply('seller.outOfStockRate', '1');
    flags.apply('seller.outOfStockRate', undefined);
    expect(flags.value('seller.outOfStockRate')).toBe(0);
    expect(flags.rolls('seller.outOfStockRate', 'o-1')).toBe(false);
    expect(log.infos).toEqual(['failure flag seller.outOfStockRate = 1', 'failure flag seller.outOfStockRate unset']);
  });

  it('exports each flag as a gauge, by flag name only', async () => {
    const flags = new FailureFlags({ log: recordingLog() });
    flags.apply('logistics.dropRate', '0.25');
    const gauge = (await register.getSingleMetric('flowscope_failure_flag')!.get()).values;
    expect(gauge.find((v) => v.labels.flag === 'logistics.dropRate')?.value).toBe(0.25);
    expect(new Set(gauge.flatMap((v) => Object.keys(v.labels)))).toEqual(new Set(['flag']));
  });
});

describe('seededRandom', () => {
  it('gives the same roll for the same seed and spreads seeds over [0, 1)', () => {
    expect(seededRandom('payment.declineRate/o-1')).toBe(seededRandom('payment.declineRate/o-1'));
    const rolls = Array.from({ length: 2000 }, (_, i) => seededRandom(`payment.declineRate/o-${i}`));
    expect(rolls.every((r) => r >= 0 && r < 1)).toBe(true);
    const share = rolls.filter((r) => r < 0.2).length / rolls.length;
    expect(share).toBeGreaterThan(0.16);
    expect(share).toBeLessThan(0.24);
  });
});
