import type { FlowDefinition } from '@flowscope/contracts';
import { NatsClient } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { evaluateFlow, TERMINAL } from '../evaluation/evaluate-flow';
import type { FlowChange } from '../store/flow-store';
import { emitFlowSpan } from './flow-span';
import { trackerMetrics } from './tracker-metrics';

/** What a flow's change tells the world: `flow.<status>` on core NATS, metrics, the flow span. */
@Injectable()
export class FlowOutputs {
  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  changed(def: FlowDefinition, { before, after }: FlowChange, now: Date): void {
    const labels = { definition: def.name, style: after.style };
    if (!before) trackerMetrics.started.inc(labels);
    if (before?.status === after.status) return;
    this.nats.nc.publish(
      `flow.${after.status}`,
      JSON.stringify({
        definition: def.name,
        key: after.key,
        status: after.status,
        previous: before?.status ?? null,
        style: after.style,
        at: now.toISOString(),
      }),
    );
    if (after.status === 'stalled')
      trackerMetrics.stalledTotal.inc({ labels, value: 1, exemplarLabels: traceExemplar(after) });
    if (!TERMINAL.has(after.status) || (before && TERMINAL.has(before.status))) return;
    this.ended(def, after, now);
  }

  private ended(def: FlowDefinition, flow: FlowChange['after'], now: Date): void {
    const evaluation = evaluateFlow(def, flow.events, now);
    const labels = { definition: def.name, style: flow.style, status: evaluation.status };
    const exemplarLabels = traceExemplar(flow);
    trackerMetrics.ended.inc(labels);
    if (flow.wasStalled) trackerMetrics.recovered.inc(labels);
    if (evaluation.endedAt) {
      const seconds = (Date.parse(evaluation.endedAt) - Date.parse(flow.startedAt)) / 1000;
      trackerMetrics.duration.observe({ labels, value: seconds, exemplarLabels });
    }
    for (const step of evaluation.steps) {
      if (!step.at) continue;
      const value = (Date.parse(step.at) - Date.parse(flow.startedAt)) / 1000;
      trackerMetrics.stepDuration.observe({
        labels: { definition: def.name, style: flow.style, step: step.name },
        value,
        exemplarLabels,
      });
    }
    emitFlowSpan(def, flow, evaluation);
  }
}

/** The exemplar of a flow's observations: the trace of its first event (trace_id, the OTel convention). */
function traceExemplar(flow: FlowChange['after']): Record<string, string> {
  const traceId = flow.events.find((e) => e.traceId)?.traceId;
  return traceId ? { trace_id: traceId } : {};
}
