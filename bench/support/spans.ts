// Checks that tracing really traced: a batch span processor that drops spans under load would make
// tracing look cheaper than it is. Every app counts exported, failed and dropped spans in /metrics;
// and Jaeger is asked how many spans it holds for a sample of orders.
import { waitFor } from '../../deploy/launch/probe';
import { metricTotal } from './metrics';
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
  const traces = await findTraces(queryUrl, {
    service: 'orders',
    tags: { 'flowscope.order.id': orderId },
    limit: 5,
    lookbackMs: 600_000,
  });
  return traces.reduce((n, t) => n + t.spans.length, 0);
}

/** Spans exported, lost to failed exports and dropped (queue full), summed over every app's /metrics. */
export async function spanExportTotals(
  appUrls: Record<string, string>,
): Promise<{ exported: number; failed: number; dropped: number }> {
  const [exported, failed, dropped] = await Promise.all(
    ['flowscope_spans_exported_total', 'flowscope_span_export_failures_total', 'flowscope_spans_dropped_total'].map(
      (name) => metricTotal(appUrls, name),
    ),
  );
  return { exported, failed, dropped };
}
