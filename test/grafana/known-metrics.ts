// The metrics a panel may query, with their labels: what the code registers in prom-client (the
// tracker's, the messaging library's, the consumer lag gauges, the failure flags'), prom-client's
// default metrics, and Jaeger's span metrics. Importing the modules registers their metrics.
import { collectDefaultMetrics, Histogram, register, Registry } from 'prom-client';
import '../../apps/process-tracker/src/flows/outputs/tracker-metrics';
import '../../libs/messaging/src/consumer-lag';
import '../../libs/fulfilment/src/failure-injector';
import '../../libs/messaging/src/metrics';

/**
 * Labels the scrape adds: Prometheus' own, and `service`, which the scrape configs set on every app
 * target (deploy/prometheus.yml, deploy/launch/prometheus.ts).
 */
const TARGET_LABELS = ['job', 'instance', 'service'];

/** Jaeger's spanmetrics connector, as Prometheus scrapes it (integration-facts.md section 3). */
const SPAN_METRIC_LABELS = ['service_name', 'span_name', 'span_kind', 'status_code'];

/** Metric name → its label names (histograms as their `_bucket`, `_count` and `_sum` series). */
export function knownMetrics(): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  const add = (name: string, labels: readonly string[], target = TARGET_LABELS): void => {
    known.set(name, new Set([...labels, ...target]));
  };
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const metric of [...register.getMetricsAsArray(), ...defaults.getMetricsAsArray()]) {
    const labels = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
    if (!(metric instanceof Histogram)) {
      add(metric.name, labels);
      continue;
    }
    add(`${metric.name}_bucket`, [...labels, 'le']);
    add(`${metric.name}_count`, labels);
    add(`${metric.name}_sum`, labels);
  }
  // Scraped from Jaeger, not from an app: no `service` target label (the span's service is service_name).
  add('traces_span_metrics_calls_total', SPAN_METRIC_LABELS, ['job', 'instance']);
  add('traces_span_metrics_duration_milliseconds_bucket', [...SPAN_METRIC_LABELS, 'le'], ['job', 'instance']);
  return known;
}

// PromQL words that look like metric names but are functions, keywords or aggregations.
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'on',
  'ignoring',
  'and',
  'or',
  'unless',
  'rate',
  'increase',
  'histogram_quantile',
  'sort_desc',
  'sort',
  'vector',
  'group_left',
  'group_right',
  'le',
]);

/** The metric names in a query: identifiers outside strings, label lists and selectors. */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '{}') // selectors' matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/\[[^\]]*\]/g, '[]'); // ranges
  const words = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w)))];
}

/** Each `metric{…}` selector with the label names its matchers use. */
export function selectorsIn(expr: string): Array<{ metric: string; labels: string[] }> {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map(([, metric, body]) => ({
    metric,
    labels: [...body.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]),
  }));
}

/** Labels in `by (…)` and `on (…)` clauses. */
export function groupingLabelsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g)].flatMap(([, list]) =>
    list
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}
