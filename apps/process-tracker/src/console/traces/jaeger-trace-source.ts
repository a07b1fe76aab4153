import { Inject, Injectable } from '@nestjs/common';
import { CONSOLE_CONFIG } from '../console-tokens';
import type { ConsoleConfig } from '../console-config';
import { joinTraces, type FetchedTrace } from './join-traces';
import type { FlowTraces, TraceLinks } from './joined-timeline';
import type { OtlpTraceResponse } from './otlp';

/** Jaeger's answer was not a trace and not "no such trace": Jaeger is down, slow or broken. */
class JaegerUnavailable extends Error {}

/** A flow's traces from Jaeger's API v3, joined into one timeline; says why when it cannot. */
@Injectable()
export class JaegerTraceSource {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  async flowTraces(traceIds: readonly string[]): Promise<FlowTraces> {
    const queryUrl = this.config.JAEGER_QUERY_URL;
    if (!queryUrl)
      return { available: false, reason: 'No Jaeger is configured (JAEGER_QUERY_URL).', traceIds: [...traceIds] };
    if (traceIds.length === 0)
      return { available: false, reason: 'The flow’s events carried no trace context.', traceIds: [] };
    let fetched: FetchedTrace[];
    try {
      fetched = await Promise.all(
        traceIds.map(async (traceId) => ({ traceId, response: await this.fetchTrace(queryUrl, traceId) })),
      );
    } catch (error) {
      const why = error instanceof JaegerUnavailable ? error.message : String(error);
      return { available: false, reason: `Jaeger does not answer at ${queryUrl}: ${why}`, traceIds: [...traceIds] };
    }
    if (fetched.every((t) => t.response === null))
      return {
        available: false,
        reason: 'Jaeger has no trace of this flow (not yet, sampled away, or expired).',
        traceIds: [...traceIds],
      };
    return { available: true, timeline: joinTraces(fetched), links: traceIds.map((id) => this.links(id)) };
  }

  private async fetchTrace(queryUrl: string, traceId: string): Promise<OtlpTraceResponse | null> {
    if (!/^[0-9a-f]{32}$/i.test(traceId)) return null;
    let res: Response;
    try {
      res = await fetch(`${queryUrl}/api/v3/traces/${traceId}`, {
        signal: AbortSignal.timeout(this.config.JAEGER_TIMEOUT_MS),
      });
    } catch (error) {
      throw new JaegerUnavailable((error as Error).message, { cause: error });
    }
    // v3 answers 404 for a trace it does not hold.
    if (res.status === 404) return null;
    if (!res.ok) throw new JaegerUnavailable(`GET /api/v3/traces/${traceId} answered ${res.status}`);
    return (await res.json()) as OtlpTraceResponse;
  }

  private links(traceId: string): TraceLinks {
    const { JAEGER_UI_URL: ui, GRAFANA_URL: grafana } = this.config;
    const explore = {
      datasource: 'jaeger',
      queries: [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' }, query: traceId }],
      range: { from: 'now-24h', to: 'now' },
    };
    return {
      traceId,
      jaegerUi: ui ? `${ui}/trace/${traceId}` : null,
      grafana: grafana
        ? `${grafana}/explore?schemaVersion=1&left=${encodeURIComponent(JSON.stringify(explore))}`
        : null,
    };
  }
}
