// PromQL pieces the dashboards share. Grafana fills in `$__rate_interval` (at least four scrape
// intervals), `$__range` (the time range) and the `$variable`s.

/** `metric{m1, m2}` with the matchers that are given. */
export const series = (metric: string, ...matchers: Array<string | undefined>): string =>
  `${metric}{${matchers.filter(Boolean).join(', ')}}`;

/** Per-second rate over the panel's rate interval. */
export const rate = (selector: string): string => `rate(${selector}[$__rate_interval])`;

/** Increase over the dashboard's time range (for stats as of the end of the range). */
export const increase = (selector: string): string => `increase(${selector}[$__range])`;

/** `histogram_quantile(q, sum by (le, by) (buckets))`, buckets being a rate or an increase of `_bucket` series. */
export const quantile = (q: number, buckets: string, by: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (${buckets}))`;

/** The flow metrics' filter by the Flow and Style variables. */
export const FLOW = 'definition=~"$definition", style=~"$style"';

/** A flow metric filtered by the Flow and Style variables, and by `extra` if given. */
export const flows = (metric: string, extra?: string): string => series(metric, FLOW, extra);
