// Counters read from every app's /metrics (Prometheus text format).
import { httpJson } from '../../deploy/launch/probe';

/** Sum of a metric's samples whose labels contain `labels` (e.g. `outcome="retry"`), over every app; 0 when absent. */
export async function metricTotal(appUrls: Record<string, string>, name: string, labels = ''): Promise<number> {
  const texts = await Promise.all(
    Object.values(appUrls).map(async (url) => (await httpJson<string>(`${url}/metrics`)).body),
  );
  return texts.reduce((sum, text) => sum + sumOf(typeof text === 'string' ? text : '', name, labels), 0);
}

function sumOf(text: string, name: string, labels: string): number {
  const sample = new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.e+-]+)`, 'gm');
  let sum = 0;
  for (const m of text.matchAll(sample)) if ((m[1] ?? '').includes(labels)) sum += Number(m[2]);
  return sum;
}

/** Event deliveries a handler asked to retry (it threw, e.g. ORDER_NOT_YET_KNOWN), over every app. */
export const redeliveriesSoFar = (appUrls: Record<string, string>) =>
  metricTotal(appUrls, 'flowscope_messages_consumed_total', 'outcome="retry"');
