import type { FlowDefinition, FlowStatus } from '@flowscope/contracts';
import { NatsClient } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { TERMINAL } from '../evaluation/evaluate-flow';
import { firstTraced } from '../flow-instance';
import type { FlowState } from '../state/flow-state';
import { emitFlowSpan } from './flow-span';
import { trackerMetrics } from './tracker-metrics';

/** What a flow's change tells the world: `flow.<status>` on core NATS, metrics, the flow span. */
@Injectable()
export class FlowOutputs {
  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  /** `previous` is the status before the change; undefined for a flow just started. */
  changed(def: FlowDefinition, flow: FlowState, previous: FlowStatus | undefined, now: Date): void {
    if (previous === undefined) trackerMetrics.started.inc({ definition: def.name, style: flow.style });
    if (previous === flow.status) return;
    const labels = { definition: def.name, style: flow.style };
    this.nats.nc.publish(
      `flow.${flow.status}`,
      JSON.stringify({
        definition: def.name,
        key: flow.key,
        status: flow.status,
        previous: previous ?? null,
        style: flow.style,
        at: now.toISOString(),
      }),
    );
    if (flow.status === 'stalled')
      trackerMetrics.stalledTotal.inc({ labels, value: 1, exemplarLabels: traceExemplar(flow) });
    if (!TERMINAL.has(flow.status) || (previous && TERMINAL.has(previous))) return;
    this.ended(def, flow, now);
  }

  private ended(def: FlowDefinition, flow: FlowState, now: Date): void {
    const evaluation = flow.evaluate(def, now);
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
    // The span waits for the checkpoint that takes the flow: a step whose event arrives a moment
    // after the terminal one (services' events of the same instant) is in it.
    flow.spanDue = true;
  }

  /** The flow span of a flow that ended here, once, with every step known now. */
  emitDueSpan(def: FlowDefinition, flow: FlowState, now: Date): void {
    if (!flow.spanDue) return;
    flow.spanDue = false;
    emitFlowSpan(def, flow, flow.evaluate(def, now));
  }
}

/** The exemplar of a flow's observations: the trace of its first event (trace_id, the OTel convention). */
function traceExemplar(flow: FlowState): Record<string, string> {
  const traceId = firstTraced(flow.events)?.traceId;
  return traceId ? { trace_id: traceId } : {};
}
