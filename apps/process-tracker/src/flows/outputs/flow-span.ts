import type { FlowDefinition } from '@flowscope/contracts';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Link } from '@opentelemetry/api';
import { firstTraced, type FlowInstance } from '../flow-instance';
import type { FlowEvaluation } from '../evaluation/evaluate-flow';

/**
 * The span `flow <definition>` of a finished flow: in the trace of its first event, from the first
 * event to the terminal one, one span event per step, linked to every other trace it touched.
 */
export function emitFlowSpan(def: FlowDefinition, flow: FlowInstance, evaluation: FlowEvaluation): void {
  const events = flow.events;
  const first = firstTraced(events);
  if (!first || !evaluation.endedAt) return;
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: first.traceId!,
    spanId: first.spanId!,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const others = new Map<string, string>();
  for (const e of events)
    if (e.traceId && e.spanId && e.traceId !== first.traceId && !others.has(e.traceId)) others.set(e.traceId, e.spanId);
  const links: Link[] = [...others].map(([traceId, spanId]) => ({
    context: { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true },
  }));
  const span = trace.getTracer('@flowscope/process-tracker').startSpan(
    `flow ${def.name}`,
    {
      kind: SpanKind.INTERNAL,
      startTime: new Date(flow.startedAt),
      links,
      attributes: {
        'flowscope.flow.definition': def.name,
        'flowscope.flow.key': flow.key,
        ...(def.correlation === 'orderId' ? { 'flowscope.order.id': flow.key } : {}),
        'flowscope.flow.status': evaluation.status,
        'flowscope.flow.style': flow.style,
        'flowscope.flow.duplicates': flow.duplicates,
      },
    },
    parent,
  );
  for (const step of evaluation.steps) {
    if (step.at)
      span.addEvent(
        `${step.name} ${step.status}`,
        { 'flowscope.step.name': step.name, 'flowscope.step.status': step.status },
        new Date(step.at),
      );
  }
  if (evaluation.status !== 'completed')
    span.setStatus({ code: SpanStatusCode.ERROR, message: `flow ${evaluation.status}` });
  span.end(new Date(evaluation.endedAt));
}
