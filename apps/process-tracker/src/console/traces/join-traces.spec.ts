import { joinTraces, type FetchedTrace } from './join-traces';
import type { OtlpSpan, OtlpTraceResponse } from './otlp';

const T1 = 'a'.repeat(32);
const T2 = 'b'.repeat(32);
const ms = (n: number) => String(BigInt(1_700_000_000_000 + n) * 1_000_000n);

function span(
  traceId: string,
  spanId: string,
  name: string,
  kind: number,
  from: number,
  to: number,
  extra: Partial<OtlpSpan> = {},
): OtlpSpan {
  return { traceId, spanId, name, kind, startTimeUnixNano: ms(from), endTimeUnixNano: ms(to), ...extra };
}

function trace(byService: Record<string, OtlpSpan[]>): OtlpTraceResponse {
  return {
    result: {
      resourceSpans: Object.entries(byService).map(([service, spans]) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ spans }],
      })),
    },
  };
}

const subject = (name: string) => ({
  attributes: [{ key: 'messaging.destination.name', value: { stringValue: name } }],
});

// Trace 1: orders publishes order.placed, payments consumes it (child and link) and publishes
// payment.declined, which orders consumes. Trace 2 (a later retry) starts from a link into trace 1.
const first = trace({
  orders: [
    span(T1, '01', 'POST /orders', 2, 0, 40),
    span(T1, '02', 'send order.placed', 4, 10, 12, { parentSpanId: '01', ...subject('order.placed') }),
    span(T1, '05', 'process payment.declined', 5, 70, 75, {
      parentSpanId: '04',
      links: [{ traceId: T1, spanId: '04' }],
    }),
  ],
  payments: [
    span(T1, '03', 'process order.placed', 5, 30, 60, {
      parentSpanId: '02',
      links: [{ traceId: T1, spanId: '02' }],
      status: { code: 2, message: 'PAYMENT_DECLINED' },
      ...subject('order.placed'),
    }),
    span(T1, '04', 'send payment.declined', 4, 50, 52, { parentSpanId: '03' }),
  ],
});
const second = trace({
  notification: [span(T2, '11', 'process order.cancelled', 5, 100, 110, { links: [{ traceId: T1, spanId: '04' }] })],
  seller: [span(T2, '12', 'cmd.stock.release', 2, 105, 108, { parentSpanId: 'ff' })],
});

describe('joining a flow’s traces from Jaeger’s API v3', () => {
  const timeline = joinTraces([
    { traceId: T1, response: first },
    { traceId: T2, response: second },
  ]);
  const named = (name: string) => timeline.spans.find((s) => s.name === name)!;
  const edge = (from: string, to: string) =>
    timeline.edges.find((e) => e.from === named(from).id && e.to === named(to).id);

  it('lays every span of several traces on one axis from the earliest, services in order of appearance', () => {
    expect(timeline.spans.map((s) => [s.name, s.startMs])).toEqual([
      ['POST /orders', 0],
      ['send order.placed', 10],
      ['process order.placed', 30],
      ['send payment.declined', 50],
      ['process payment.declined', 70],
      ['process order.cancelled', 100],
      ['cmd.stock.release', 105],
    ]);
    expect(timeline.services).toEqual(['orders', 'payments', 'notification', 'seller']);
    expect(timeline.durationMs).toBe(110);
    expect(timeline.startedAt).toBe(1_700_000_000_000);
    expect(timeline.traces).toEqual([
      { traceId: T1, state: 'found', spanCount: 5 },
      { traceId: T2, state: 'found', spanCount: 2 },
    ]);
  });

  it('a consumer child of and linked to its producer is one async edge via both, with its wait in NATS', () => {
    expect(edge('send order.placed', 'process order.placed')).toEqual({
      from: `${T1}:02`,
      to: `${T1}:03`,
      via: ['parent', 'link'],
      async: true,
      waitedMs: 20,
      subject: 'order.placed',
    });
    expect(edge('send payment.declined', 'process payment.declined')).toMatchObject({ async: true, waitedMs: 20 });
  });

  it('a link into another trace joins the two traces', () => {
    expect(edge('send payment.declined', 'process order.cancelled')).toMatchObject({
      via: ['link'],
      async: true,
      waitedMs: 50,
    });
  });

  it('in-process parents are no hop, a producer child of its own service’s request is', () => {
    expect(edge('process order.placed', 'send payment.declined')).toBeUndefined();
    expect(edge('POST /orders', 'send order.placed')).toBeUndefined();
    expect(timeline.edges).toHaveLength(3);
  });

  it('errors are marked with their message', () => {
    expect(named('process order.placed')).toMatchObject({ error: true, errorMessage: 'PAYMENT_DECLINED' });
    expect(named('send order.placed')).toMatchObject({ error: false, errorMessage: null });
  });

  it('a span whose parent no trace holds is kept, marked, and counted as missing', () => {
    expect(named('cmd.stock.release')).toMatchObject({ parentId: null, parentMissing: true });
    expect(timeline.missingSpans).toBe(1);
  });

  it('a trace Jaeger does not have, or links into it, leave the rest of the timeline whole', () => {
    const partial = joinTraces([
      { traceId: T1, response: null },
      { traceId: T2, response: second },
    ] satisfies FetchedTrace[]);
    expect(partial.traces.map((t) => t.state)).toEqual(['missing', 'found']);
    expect(partial.spans.map((s) => s.name)).toEqual(['process order.cancelled', 'cmd.stock.release']);
    expect(partial.edges).toEqual([]);
    expect(partial.missingSpans).toBe(2);
    expect(partial.spans[0].startMs).toBe(0);
  });

  it('no trace at all gives an empty timeline', () => {
    expect(joinTraces([])).toMatchObject({ spans: [], edges: [], services: [], durationMs: 0, missingSpans: 0 });
  });
});
