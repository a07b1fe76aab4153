import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { isTelemetryEnabled, shutdownTelemetry, TelemetryModule } from '../src';
import { telemetryState } from '../src/lifecycle';

/** Stands in for the NodeSDK that register.js would have started. */
function fakeSdk(shutdown: () => Promise<void> = () => Promise.resolve()): jest.Mock<Promise<void>, []> {
  const mock = jest.fn(shutdown);
  telemetryState().sdk = { shutdown: mock };
  return mock;
}

afterEach(() => {
  delete telemetryState().sdk;
  delete telemetryState().shutdown;
  jest.restoreAllMocks();
});

describe('SDK lifecycle', () => {
  it('is disabled and shuts down as a no-op when the SDK never started', async () => {
    expect(isTelemetryEnabled()).toBe(false);
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
  });

  it('shuts the SDK down once however often it is asked', async () => {
    const shutdown = fakeSdk();
    expect(isTelemetryEnabled()).toBe(true);
    const first = shutdownTelemetry();
    expect(shutdownTelemetry()).toBe(first);
    await first;
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(isTelemetryEnabled()).toBe(false);
  });

  it('reports but does not reject when the SDK fails to shut down', async () => {
    const report = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    fakeSdk(() => Promise.reject(new Error('exporter unreachable')));
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
    expect(report).toHaveBeenCalledTimes(1);
  });
});

describe('TelemetryModule', () => {
  it('provides the nestjs-pino Logger and flushes telemetry when the app closes', async () => {
    const shutdown = fakeSdk();
    const app = await Test.createTestingModule({ imports: [TelemetryModule.forRoot({ service: 'orders' })] }).compile();
    expect(app.get(Logger)).toBeInstanceOf(Logger);
    expect(shutdown).not.toHaveBeenCalled();
    await app.close();
    expect(shutdown).toHaveBeenCalledTimes(1);
  });
});
