import { FailureFlags, FailureInjector, failureMetrics, type FlagLog } from '../src';

function recordingLog(): FlagLog & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m), log: () => undefined };
}

async function counted(metric: typeof failureMetrics.injected, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

describe('FailureInjector', () => {
  it('drops an event when the service drop rate rolls: logged at warn with the order, and counted', async () => {
    const log = recordingLog();
    const flags = new FailureFlags({ random: () => 0.5, log });
    const injector = new FailureInjector(flags, 'logistics', log);
    const before = await counted(failureMetrics.dropped, { service: 'logistics', subject: 'shipment.scheduled' });
    expect(injector.drops('shipment.scheduled', 'o-1')).toBe(false);

    flags.apply('logistics.dropRate', '0.6');
    expect(injector.drops('shipment.scheduled', 'o-1')).toBe(true);
    expect(log.warnings).toEqual(['dropped shipment.scheduled of order o-1: failure flag logistics.dropRate']);
    expect(await counted(failureMetrics.dropped, { service: 'logistics', subject: 'shipment.scheduled' })).toBe(
      before + 1,
    );
  });

  it('only its own service drop rate applies', () => {
    const flags = new FailureFlags({ random: () => 0, log: recordingLog() });
    flags.apply('payments.dropRate', '1');
    expect(new FailureInjector(flags, 'seller', recordingLog()).drops('stock.reserved', 'o-1')).toBe(false);
  });

  it('counts a failure only when the rate flag causes one', async () => {
    const flags = new FailureFlags({ random: () => 0.3, log: recordingLog() });
    const injector = new FailureInjector(flags, 'payments', recordingLog());
    const labels = { service: 'payments', flag: 'payment.declineRate' };
    const before = await counted(failureMetrics.injected, labels);
    flags.apply('payment.declineRate', '0.2');
    expect(injector.fails('payment.declineRate', 'o-1')).toBe(false);
    flags.apply('payment.declineRate', '0.4');
    expect(injector.fails('payment.declineRate', 'o-1')).toBe(true);
    expect(await counted(failureMetrics.injected, labels)).toBe(before + 1);
  });

  it('adds the service latency, and no delay when it is unset', async () => {
    const flags = new FailureFlags({ log: recordingLog() });
    const injector = new FailureInjector(flags, 'notification', recordingLog());
    const nextTurn = new Promise((resolve) => setImmediate(() => resolve('a timer turn later')));
    await expect(Promise.race([injector.delay().then(() => 'at once'), nextTurn])).resolves.toBe('at once');

    flags.apply('notification.latencyMs', '120');
    const started = Date.now();
    await injector.delay();
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('a delay in progress ends when the service stops', async () => {
    const flags = new FailureFlags({ log: recordingLog() });
    flags.apply('seller.latencyMs', '60000');
    const injector = new FailureInjector(flags, 'seller', recordingLog());
    const started = Date.now();
    const delayed = injector.delay();
    injector.onModuleDestroy();
    await delayed;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
