// Checks that tracing really traced: a batch span processor that drops spans under load would make
// tracing look cheaper than it is. Every app counts exported, failed and dropped spans in /metrics;
// and Jaeger is asked how many spans it holds for a sample of orders.
import { httpJson, waitFor } from '../../deploy/launch/probe';
import { findTraces } from '../../test/support/jaeger-api';

/** Spans in each order's trace(s), once two reads a second apart agree (spans arrive in batches). */
export async function spansPerOrder(queryUrl: string, orderIds: readonly string[]): Promise<number[] | undefined> {
  let previous = '';
  return waitFor(
    async () => {
      const counts = await Promise.all(orderIds.map((id) => spansOf(queryUrl, id)));
      const same = counts.join() === previous;
      previous = counts.join();
      return same && counts;
    },
    { timeoutMs: 20_000, intervalMs: 1000, what: 'span counts to settle' },
  ).catch(() => undefined);
}

async function spansOf(queryUrl: string, orderId: string): Promise<number> {
  const traces = await findTraces(queryUrl, { service: 'orders', tags: { 'flowscope.order.id': orderId }, limit: 5, lookbackMs: 600_000 });
  return traces.reduce((n, t) => n + t.spans.length, 0);
}

/** Spans exported, lost to failed exports and dropped (queue full), summed over every app's /metrics. */
export async function spanExportTotals(appUrls: Record<string, string>): Promise<{ exported: number; failed: number; dropped: number }> {
  const totals = { exported: 0, failed: 0, dropped: 0 };
  for (const url of Object.values(appUrls)) {
    const { body } = await httpJson<string>(`${url}/metrics`);
    const text = typeof body === 'string' ? body : '';
    totals.exported += metric(text, 'flowscope_spans_exported_total');
    totals.failed += metric(text, 'flowscope_span_export_failures_total');
    totals.dropped += metric(text, 'flowscope_spans_dropped_total');
  }
  return totals;
}

/** Sum of a metric's samples in the Prometheus text format (0 when absent). */
function metric(text: string, name: string): number {
  const sample = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, 'gm');
  let sum = 0;
  for (const m of text.matchAll(sample)) sum += Number(m[1]);
  return sum;
}
