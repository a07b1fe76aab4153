import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { isTelemetryEnabled } from '../src';
import { telemetryState } from '../src/lifecycle';
import { startTelemetry } from '../src/sdk';
import { MeteredBatchSpanProcessor } from '../src/span-export-metrics';

// The real NodeSDK would register globals and patch modules for the rest of the jest worker;
// here we only check what startTelemetry asks of it. (register.js itself is smoke-tested in a
// real process: see the library's report.)
const mockStart = jest.fn<void, []>();
const mockConstruct = jest.fn<void, [Partial<NodeSDKConfiguration>]>();
jest.mock('@opentelemetry/sdk-node', () => ({
  NodeSDK: class {
    constructor(config: Partial<NodeSDKConfiguration>) {
      mockConstruct(config);
    }
    start = mockStart;
    shutdown = (): Promise<void> => Promise.resolve();
  },
}));

function sdkConfig(): Partial<NodeSDKConfiguration> {
  expect(mockConstruct).toHaveBeenCalledTimes(1);
  return mockConstruct.mock.calls[0][0];
}

function instrumentations(): Instrumentation[] {
  return (sdkConfig().instrumentations ?? []).flat();
}

afterEach(() => {
  // Auto-instrumentations enable themselves when constructed; undo that for the next test.
  if (mockConstruct.mock.calls.length > 0) instrumentations().forEach((i) => i.disable());
  delete telemetryState().sdk;
  jest.clearAllMocks();
  jest.restoreAllMocks();
});

describe('startTelemetry', () => {
  it('starts one SDK exporting traces through a BatchSpanProcessor, and nothing else', () => {
    expect(startTelemetry()).toBe(true);
    expect(startTelemetry()).toBe(true);
    const config = sdkConfig();
    expect(mockStart).toHaveBeenCalledTimes(1);
    expect(isTelemetryEnabled()).toBe(true);
    expect(config.spanProcessors).toHaveLength(1);
    expect(config.spanProcessors?.[0]).toBeInstanceOf(BatchSpanProcessor);
    expect(config.spanProcessors?.[0]).toBeInstanceOf(MeteredBatchSpanProcessor); // bounded, and counts lost spans
    // Empty lists, not undefined: undefined makes the SDK build OTLP metric and log exporters.
    expect(config.metricReaders).toEqual([]);
    expect(config.logRecordProcessors).toEqual([]);
  });

  it('instruments only HTTP and propagates W3C trace context alone', () => {
    startTelemetry();
    const names = instrumentations().map((i) => i.instrumentationName);
    expect(names).toEqual(['@opentelemetry/instrumentation-http']);
    const propagator = sdkConfig().textMapPropagator;
    expect(propagator).toBeInstanceOf(W3CTraceContextPropagator);
    expect(propagator?.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('does not trace health probes and metric scrapes', () => {
    startTelemetry();
    const http = instrumentations().find((i) => i.instrumentationName === '@opentelemetry/instrumentation-http');
    const config = http?.getConfig() as { ignoreIncomingRequestHook?: (req: IncomingMessage) => boolean };
    const ignored = ['/health', '/metrics', '/orders'].map((url) =>
      config.ignoreIncomingRequestHook?.({ url } as IncomingMessage),
    );
    expect(ignored).toEqual([true, true, false]);
  });

  it('logs a failing start and lets the app carry on', () => {
    const report = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    mockStart.mockImplementationOnce(() => {
      throw new Error('no context manager');
    });
    expect(startTelemetry()).toBe(false);
    expect(isTelemetryEnabled()).toBe(false);
    expect(report).toHaveBeenCalledWith(expect.stringContaining('start failed'), expect.any(Error));
  });
});
