import type { FlowDetail } from '../console-client';
import { h } from '../dom';
import { duration, time } from '../format';

/**
 * The flow's steps on one time axis from its first event: where each step was decided and the time
 * spent between one and the next (the model: Temporal UI's workflow history on a time line).
 */
export function FlowTimeline({ flow, pendingStep, waitingSince }: FlowDetail, now: number): HTMLElement {
  const start = Date.parse(flow.startedAt);
  const end = Math.max(flow.endedAt ? Date.parse(flow.endedAt) : now, start + 1);
  const reached = flow.steps.filter((s) => s.at).sort((a, b) => a.at!.localeCompare(b.at!));
  let previous = start;
  const items = reached.map((step) => {
    const at = Date.parse(step.at!);
    const gap = at - previous;
    previous = at;
    return h(
      'li',
      { class: `mark ${step.status}`, style: `--at:${(at - start) / (end - start)}` },
      h('span', { class: 'label' }, `${step.name} ${step.status}`),
      h('span', { class: 'when' }, ` at +${duration(at - start)} (${duration(gap)} after the previous step)`),
    );
  });
  if (pendingStep)
    items.push(
      h(
        'li',
        { class: 'mark waiting', style: '--at:1' },
        h('span', { class: 'label' }, `${pendingStep} pending`),
        h(
          'span',
          { class: 'when' },
          ` waiting since ${time(waitingSince)} (${duration(now - Date.parse(waitingSince))})`,
        ),
      ),
    );
  return h(
    'section',
    { 'aria-labelledby': 'steps-heading' },
    h('h2', { id: 'steps-heading' }, 'Steps'),
    h('ol', { class: 'axis', 'aria-label': `Steps on a time axis of ${duration(end - start)}` }, items),
  );
}
