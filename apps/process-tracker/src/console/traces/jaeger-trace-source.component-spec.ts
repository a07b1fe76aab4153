// The console's trace source against a real Jaeger: spans sent over OTLP/HTTP, read back through
// the API v3 and joined; a trace Jaeger lacks, and Jaeger not answering at all.
import { randomBytes } from 'node:crypto';
import { startJaeger, type JaegerHandle } from '../../../../../deploy/launch/jaeger';
import { freePort } from '../../../../../deploy/launch/ports';
import { waitFor } from '../../../../../deploy/launch/probe';
import type { ConsoleConfig } from '../console-config';
import { JaegerTraceSource } from './jaeger-trace-source';
import type { OtlpSpan } from './otlp';

let jaeger: JaegerHandle;

beforeAll(async () => {
  jaeger = await startJaeger();
}, 60_000);

afterAll(async () => {
  await jaeger?.stop();
}, 30_000);

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
// One origin for every span of the file, so offsets between spans are exact.
const ORIGIN = Date.now() - 5000;
const nanos = (ms: number) => String(BigInt(ORIGIN + ms) * 1_000_000n);

function span(traceId: string, spanId: string, name: string, kind: number, at: number, extra: Partial<OtlpSpan> = {}) {
  return { traceId, spanId, name, kind, startTimeUnixNano: nanos(at), endTimeUnixNano: nanos(at + 5), ...extra };
}

async function send(service: string, spans: object[]): Promise<void> {
  const body = {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] },
    ],
  };
  const res = await fetch(`${jaeger.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`OTLP export answered ${res.status}: ${await res.text()}`);
}

const source = (config: Partial<ConsoleConfig>) => new JaegerTraceSource({ JAEGER_TIMEOUT_MS: 2000, ...config });

describe('a flow’s traces from a real Jaeger', () => {
  it('two traces joined by a link, with a parent Jaeger never got, one timeline with the hops', async () => {
    const [first, second, unknown] = [hex(16), hex(16), hex(16)];
    const [send1, process1, process2] = [hex(8), hex(8), hex(8)];
    await send('orders', [span(first, send1, 'send order.placed', 4, 0)]);
    await send('payments', [
      span(first, process1, 'process order.placed', 5, 20, {
        parentSpanId: send1,
        links: [{ traceId: first, spanId: send1 }],
      }),
    ]);
    await send('seller', [
      span(second, process2, 'process payment.authorized', 5, 60, {
        parentSpanId: hex(8),
        links: [{ traceId: first, spanId: process1 }],
        status: { code: 2, message: 'boom' },
      }),
    ]);
    const traces = source({ JAEGER_QUERY_URL: jaeger.queryUrl, JAEGER_UI_URL: 'http://ui.example' });
    const result = await waitFor(
      async () => {
        const r = await traces.flowTraces([first, second, unknown]);
        return r.available && r.timeline.spans.length === 3 ? r : undefined;
      },
      { timeoutMs: 20_000, what: 'Jaeger to hold both traces' },
    );
    expect(result.timeline.services).toEqual(['orders', 'payments', 'seller']);
    expect(result.timeline.traces.map((t) => t.state)).toEqual(['found', 'found', 'missing']);
    expect(result.timeline.edges.map((e) => [e.via, e.async])).toEqual([
      [['parent', 'link'], true],
      [['link'], false],
    ]);
    expect(result.timeline.edges[0].waitedMs).toBe(20);
    expect(result.timeline.spans[2]).toMatchObject({ error: true, errorMessage: 'boom', parentMissing: true });
    expect(result.timeline.missingSpans).toBe(1);
    expect(result.links[0].jaegerUi).toBe(`http://ui.example/trace/${first}`);
  }, 40_000);

  it('no trace in Jaeger, or no Jaeger answering, says why', async () => {
    const none = await source({ JAEGER_QUERY_URL: jaeger.queryUrl }).flowTraces([hex(16)]);
    expect(none).toMatchObject({ available: false, reason: expect.stringContaining('Jaeger has no trace') });
    const down = await source({ JAEGER_QUERY_URL: `http://127.0.0.1:${await freePort()}` }).flowTraces([hex(16)]);
    expect(down).toMatchObject({ available: false, reason: expect.stringContaining('Jaeger does not answer') });
    const unset = await source({}).flowTraces([hex(16)]);
    expect(unset).toMatchObject({ available: false, reason: expect.stringContaining('JAEGER_QUERY_URL') });
  }, 30_000);
});
