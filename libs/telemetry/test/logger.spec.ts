import { context, trace } from '@opentelemetry/api';
import type { DestinationStream } from 'pino';
import { createLogger, withBusinessSpan } from '../src';
import { OtelHarness } from './otel-harness';

const otel = new OtelHarness();
beforeAll(() => otel.install());
afterAll(() => otel.uninstall());

/** A synchronous pino destination that keeps each JSON line, parsed. */
function memoryDestination(): DestinationStream & { records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  return { records, write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes JSON with the service name and the active trace and span ids', async () => {
    const out = memoryDestination();
    const logger = createLogger('orders', { destination: out });
    const ids = await withBusinessSpan('place order', {}, (span) => {
      logger.info('order placed');
      return Promise.resolve(span.spanContext());
    });
    expect(out.records).toHaveLength(1);
    expect(out.records[0]).toMatchObject({
      service: 'orders',
      msg: 'order placed',
      trace_id: ids.traceId,
      span_id: ids.spanId,
      trace_flags: '01',
    });
  });

  it('follows the active span, including one started by other code', () => {
    const out = memoryDestination();
    const logger = createLogger('orders', { destination: out });
    const span = otel.tracer().startSpan('http request');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    logger.info('outside');
    expect(out.records[0].span_id).toBe(span.spanContext().spanId);
    expect(out.records[1]).not.toHaveProperty('trace_id');
    expect(out.records[1]).not.toHaveProperty('span_id');
  });

  it('redacts personal data at the top level and nested', () => {
    const out = memoryDestination();
    const logger = createLogger('orders', { destination: out });
    logger.info(
      {
        email: 'ada@example.com',
        customerName: 'Ada Lovelace',
        payment: { cardNumber: '4111111111111111', amount: 42 },
        order: { id: 'o-1', customer: { email: 'ada@example.com', phone: '+44 20 0000 0000' } },
      },
      'order received',
    );
    const line = JSON.stringify(out.records[0]);
    expect(line).not.toContain('ada@example.com');
    expect(line).not.toContain('Lovelace');
    expect(line).not.toContain('4111111111111111');
    expect(line).not.toContain('+44');
    expect(out.records[0]).toMatchObject({
      email: '[REDACTED]',
      payment: { cardNumber: '[REDACTED]', amount: 42 },
      order: { id: 'o-1', customer: { email: '[REDACTED]' } },
    });
  });

  it('takes the level from options, then LOG_LEVEL', () => {
    const saved = process.env.LOG_LEVEL;
    try {
      process.env.LOG_LEVEL = 'debug';
      expect(createLogger('orders', { destination: memoryDestination() }).level).toBe('debug');
      expect(createLogger('orders', { level: 'warn', destination: memoryDestination() }).level).toBe('warn');
      delete process.env.LOG_LEVEL;
      expect(createLogger('orders', { destination: memoryDestination() }).level).toBe('info');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });
});
