import type { FlowDefinition, FlowStatus } from '@flowscope/contracts';
import { TERMINAL, type StepView } from './evaluate-flow';

/**
 * The step an open flow waits for: while compensating, the first done step whose compensation is
 * missing; otherwise the first pending required step (or pending optional one). Null once ended.
 */
export function pendingStepOf(def: FlowDefinition, steps: readonly StepView[], status: FlowStatus): string | null {
  if (TERMINAL.has(status)) return null;
  if (status === 'compensating') {
    const uncompensated = steps.find((s, i) => s.status === 'done' && def.steps[i]?.compensatedBy?.length);
    if (uncompensated) return uncompensated.name;
  }
  const required = steps.find((s, i) => s.status === 'pending' && !def.steps[i]?.optional);
  return (required ?? steps.find((s) => s.status === 'pending'))?.name ?? null;
}
