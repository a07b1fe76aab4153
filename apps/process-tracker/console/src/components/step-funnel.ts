import type { OverviewBoard } from '../console-client';
import { h } from '../dom';

type StepCount = OverviewBoard['steps'][number];

/** Link to the flows list filtered to these flows (or plain text for none). */
function count(n: number, label: string, step: string, query: Record<string, string>, tone: string): HTMLElement {
  const text = `${n} ${label}`;
  if (n === 0) return h('span', { class: 'count zero' }, text);
  const href = `#/flows?${new URLSearchParams(query).toString()}`;
  return h('a', { class: `count ${tone}`, href, 'aria-label': `${text} at ${step}` }, text);
}

/**
 * The definition drawn as its steps, in order: how many open flows wait at each (running,
 * compensating, stalled, by first pending step) and how many ended failed or compensated there.
 */
export function StepFunnel(board: OverviewBoard): HTMLElement {
  const base = { definition: board.definition, style: board.style };
  const most = Math.max(1, ...board.steps.map((s) => s.open.running + s.open.stalled + s.open.compensating));
  const step = (s: StepCount) => {
    const waiting = { ...base, pendingStep: s.name };
    const open = s.open.running + s.open.stalled + s.open.compensating;
    return h(
      'li',
      { class: 'step' },
      h('h4', {}, s.name, s.optional ? h('span', { class: 'hint' }, ' (optional)') : null),
      h('div', { class: 'pile', style: `--fill:${open / most}`, 'aria-hidden': 'true' }),
      h(
        'ul',
        { class: 'counts' },
        h('li', {}, count(s.open.running, 'running', s.name, { ...waiting, status: 'running' }, 'running')),
        h('li', {}, count(s.open.stalled, 'stalled', s.name, { ...waiting, status: 'stalled' }, 'stalled')),
        s.open.compensating
          ? h(
              'li',
              {},
              count(
                s.open.compensating,
                'compensating',
                s.name,
                { ...waiting, status: 'compensating' },
                'compensating',
              ),
            )
          : null,
        h('li', {}, `${s.ended.failed} ended failed`),
        h('li', {}, `${s.ended.compensated} ended compensated`),
      ),
    );
  };
  return h(
    'ol',
    { class: 'funnel', 'aria-label': `Steps of ${board.definition}, ${board.style}` },
    board.steps.map(step),
  );
}
