import { z } from 'zod';

const httpUrl = z
  .string()
  .url()
  .regex(/^https?:\/\//, 'an http(s):// URL')
  .transform((url) => url.replace(/\/+$/, ''));

/** The console's settings, part of the tracker's config (validated at boot with the rest). */
export const consoleConfigShape = {
  /** Jaeger's query API (e.g. http://127.0.0.1:16686), where the console fetches a flow's traces; unset: no traces. */
  JAEGER_QUERY_URL: httpUrl.optional(),
  /** Jaeger's UI as a user's browser reaches it, for "open in Jaeger" links; unset: no link. */
  JAEGER_UI_URL: httpUrl.optional(),
  /** Grafana as a user's browser reaches it, for "explore in Grafana" links (datasource uid `jaeger`); unset: no link. */
  GRAFANA_URL: httpUrl.optional(),
  /** How long one request to Jaeger's API may take before the console says Jaeger does not answer. */
  JAEGER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
};

export interface ConsoleConfig {
  JAEGER_QUERY_URL?: string;
  JAEGER_UI_URL?: string;
  GRAFANA_URL?: string;
  JAEGER_TIMEOUT_MS: number;
}
