import type { FlowRow } from '../console-client';
import { h } from '../dom';
import { ago, time } from '../format';
import { StatusBadge } from './status-badge';

export const flowHref = (definition: string, key: string) =>
  `#/flows/${encodeURIComponent(definition)}/${encodeURIComponent(key)}`;

function row(flow: FlowRow, now: number): HTMLElement {
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, h('a', { href: flowHref(flow.definition, flow.key) }, flow.key)),
    h('td', {}, flow.style),
    h('td', {}, StatusBadge(flow.status)),
    h('td', {}, flow.pendingStep ?? '–'),
    h('td', {}, flow.pendingStep ? ago(flow.waitingSince, now).replace(' ago', '') : '–'),
    h('td', {}, flow.lastEvent ? `${flow.lastEvent.type}, ${ago(flow.lastEvent.at, now)}` : '–'),
    h('td', {}, time(flow.startedAt)),
  );
}

/** The flows list: one row per flow, newest first. */
export function FlowTable(flows: FlowRow[], caption: string): HTMLElement {
  const now = Date.now();
  const heads = ['Flow', 'Style', 'Status', 'Pending step', 'Waiting there', 'Last event', 'Started'];
  return h(
    'table',
    { class: 'flows' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        heads.map((label) => h('th', { scope: 'col' }, label)),
      ),
    ),
    h(
      'tbody',
      {},
      flows.length
        ? flows.map((f) => row(f, now))
        : h('tr', {}, h('td', { colspan: heads.length }, 'No flow matches these filters.')),
    ),
  );
}
