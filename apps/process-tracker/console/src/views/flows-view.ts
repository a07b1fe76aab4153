import { FlowTable } from '../components/flow-table';
import { consoleClient, type FlowDefinition, type FlowListQuery } from '../console-client';
import { h, replace } from '../dom';
import { throttle, type LiveHub } from '../live-hub';

const STATUSES = ['running', 'stalled', 'compensating', 'failed', 'compensated', 'completed'];
const AGES: [string, string][] = [
  ['', 'any'],
  ['10', '10 s'],
  ['60', '1 min'],
  ['300', '5 min'],
  ['3600', '1 hour'],
  ['86400', '1 day'],
];
type Field = Exclude<keyof FlowListQuery, 'limit' | 'cursor'>;

function select(name: Field, label: string, options: [string, string][], value: string | null): HTMLElement {
  return h(
    'label',
    {},
    `${label} `,
    h(
      'select',
      { name },
      options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text)),
    ),
  );
}

function filters(defs: FlowDefinition[], query: URLSearchParams): HTMLFormElement {
  const any: [string, string] = ['', 'any'];
  const steps = [...new Set(defs.flatMap((d) => d.steps.map((s) => s.name)))];
  return h(
    'form',
    { role: 'search', 'aria-label': 'Filter flows', class: 'filters', onsubmit: (e: Event) => e.preventDefault() },
    select(
      'definition',
      'Definition',
      [any, ...defs.map((d): [string, string] => [d.name, d.name])],
      query.get('definition'),
    ),
    select('status', 'Status', [any, ...STATUSES.map((s): [string, string] => [s, s])], query.get('status')),
    select(
      'style',
      'Style',
      [any, ['choreography', 'choreography'], ['orchestration', 'orchestration']],
      query.get('style'),
    ),
    select(
      'pendingStep',
      'Pending step',
      [any, ...steps.map((s): [string, string] => [s, s])],
      query.get('pendingStep'),
    ),
    select('olderThan', 'Started more than', AGES, query.get('olderThan')),
    select('quietFor', 'No event for', AGES, query.get('quietFor')),
    select('activeWithin', 'An event within', AGES, query.get('activeWithin')),
  );
}

/** Flows list: filters in the address (so a filtered list can be shared), newest first, paged, live. */
export function showFlows(main: HTMLElement, live: LiveHub, query: URLSearchParams): () => void {
  const table = h('div', {});
  const pager = h('p', { class: 'pager' });
  const previous: string[] = [];
  let cursor = query.get('cursor') ?? '';
  const load = async () => {
    const params = Object.fromEntries([...query].filter(([k, v]) => v && k !== 'cursor')) as FlowListQuery;
    try {
      const page = await consoleClient.flows({ ...params, ...(cursor ? { cursor } : {}) });
      replace(table, FlowTable(page.items, describe(params)));
      replace(
        pager,
        previous.length
          ? h('button', { type: 'button', onclick: () => void turn(previous.pop()!, false) }, 'Previous page')
          : null,
        page.next ? h('button', { type: 'button', onclick: () => void turn(page.next!, true) }, 'Next page') : null,
      );
    } catch (error) {
      replace(table, h('p', { role: 'alert' }, `Cannot list flows: ${(error as Error).message}`));
    }
  };
  const turn = (to: string, forward: boolean) => {
    if (forward) previous.push(cursor);
    cursor = to;
    return load();
  };
  replace(main, h('h1', {}, 'Flows'), h('div', { class: 'filters-slot' }), table, pager);
  void consoleClient.definitions().then((defs) => {
    const form = filters(defs, query);
    form.addEventListener('change', () => {
      query = new URLSearchParams([...new FormData(form)].filter(([, v]) => v !== '') as [string, string][]);
      history.replaceState(null, '', `#/flows${query.size ? `?${query.toString()}` : ''}`);
      previous.length = 0;
      cursor = '';
      void load();
    });
    main.querySelector('.filters-slot')!.replaceWith(form);
  });
  const refresh = throttle(() => void load(), 1000);
  const unsubscribe = live.subscribe(refresh);
  void load();
  return () => {
    unsubscribe();
    refresh.cancel();
  };
}

function describe(params: FlowListQuery): string {
  const parts = Object.entries(params).map(([k, v]) => `${k} ${v}`);
  return `Flows, newest first${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
