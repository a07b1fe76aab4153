import type { FlowDetail } from '../console-client';
import { h } from '../dom';
import { time } from '../format';

/** Every event of the flow in time order, with what is unusual about it. */
export function EventTable({ flow, notes }: FlowDetail): HTMLElement {
  const rows = flow.events.map((event, i) => {
    const flags = [
      notes[i]?.late ? 'late (after the flow ended)' : '',
      notes[i]?.outOfOrder ? 'out of order (arrived after a later event)' : '',
    ].filter(Boolean);
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, event.type),
      h('td', {}, time(event.at)),
      h('td', { class: 'mono' }, event.id),
      h('td', { class: 'mono' }, event.traceId ?? '–'),
      h('td', {}, flags.join('; ') || '–'),
    );
  });
  return h(
    'section',
    { 'aria-labelledby': 'events-heading' },
    h('h2', { id: 'events-heading' }, 'Events'),
    h(
      'p',
      {},
      flow.duplicates === 1
        ? '1 duplicate event was received and ignored.'
        : `${flow.duplicates} duplicate events were received and ignored.`,
    ),
    h(
      'table',
      { class: 'events' },
      h('caption', {}, `${flow.events.length} distinct events, in time order`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Type', 'Time', 'Event id', 'Trace id', 'Notes'].map((label) => h('th', { scope: 'col' }, label)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}
