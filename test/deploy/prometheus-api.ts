// Prometheus' HTTP API as the deploy tests read it: instant queries, exemplars, scrape targets.
import { httpJson } from '../../deploy/launch/probe';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromExemplars {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

export interface PromTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  scrapeUrl: string;
}

async function api<T>(prometheusUrl: string, pathAndQuery: string): Promise<T> {
  const res = await httpJson<{ status: string; data: T; error?: string }>(`${prometheusUrl}${pathAndQuery}`);
  if (res.status !== 200 || res.body.status !== 'success')
    throw new Error(`GET ${pathAndQuery}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** An instant PromQL query's vector. */
export async function promQuery(prometheusUrl: string, expr: string): Promise<PromSample[]> {
  const data = await api<{ result: PromSample[] }>(prometheusUrl, `/api/v1/query?query=${encodeURIComponent(expr)}`);
  return data.result;
}

/** Exemplars of the series selected by `expr` over the last `lookbackMs`. */
export function promExemplars(prometheusUrl: string, expr: string, lookbackMs = 600_000): Promise<PromExemplars[]> {
  const end = Date.now() / 1000 + 60;
  const start = end - lookbackMs / 1000 - 60;
  return api<PromExemplars[]>(
    prometheusUrl,
    `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`,
  );
}

/** The active scrape targets and how their last scrape went. */
export async function promTargets(prometheusUrl: string): Promise<PromTarget[]> {
  return (await api<{ activeTargets: PromTarget[] }>(prometheusUrl, '/api/v1/targets?state=active')).activeTargets;
}

/** Prometheus' own command-line flags (e.g. `enable-feature`). */
export function promFlags(prometheusUrl: string): Promise<Record<string, string>> {
  return api<Record<string, string>>(prometheusUrl, '/api/v1/status/flags');
}

/** The value points of a Jaeger `/api/metrics/*` answer, per series. */
export interface JaegerMetricFamily {
  name: string;
  metrics: {
    labels: { name: string; value: string }[];
    metricPoints: { gaugeValue?: { doubleValue: number }; timestamp: string }[];
  }[];
}
