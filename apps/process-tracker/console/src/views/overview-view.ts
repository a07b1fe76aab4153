import { StepFunnel } from '../components/step-funnel';
import { consoleClient, type Overview, type OverviewBoard } from '../console-client';
import { h, replace } from '../dom';
import { duration, percent, time } from '../format';
import { throttle, type LiveHub } from '../live-hub';

const RANGES: [number, string][] = [
  [5, 'last 5 minutes'],
  [15, 'last 15 minutes'],
  [60, 'last hour'],
  [360, 'last 6 hours'],
  [1440, 'last 24 hours'],
];

function figure(label: string, value: string, tone = ''): HTMLElement {
  return h('div', { class: `figure ${tone}` }, h('dt', {}, label), h('dd', {}, value));
}

function Board(board: OverviewBoard, rangeLabel: string): HTMLElement {
  const { open, ended } = board;
  return h(
    'section',
    { class: 'board', 'aria-labelledby': `board-${board.definition}-${board.style}` },
    h('h3', { id: `board-${board.definition}-${board.style}` }, board.style),
    h(
      'dl',
      { class: 'figures', 'aria-label': `${board.style}: counts` },
      figure('Running', String(open.running)),
      figure('Compensating', String(open.compensating)),
      figure('Stalled', String(open.stalled), open.stalled ? 'stalled' : ''),
      figure(`Completed (${rangeLabel})`, String(ended.completed)),
      figure(`Failed (${rangeLabel})`, String(ended.failed)),
      figure(`Compensated (${rangeLabel})`, String(ended.compensated)),
      figure('Completion ratio', percent(board.completionRatio)),
      figure('Duration p50 / p95', `${duration(board.p50Ms)} / ${duration(board.p95Ms)}`),
    ),
    StepFunnel(board),
  );
}

function draw(content: HTMLElement, overview: Overview): void {
  const label = RANGES.find(([m]) => m === overview.rangeMinutes)?.[1] ?? `${overview.rangeMinutes} min`;
  const definitions = [...new Set(overview.boards.map((b) => b.definition))];
  replace(
    content,
    h(
      'p',
      { class: 'hint' },
      `Updated ${time(overview.generatedAt)}. Open flows are counted now, ended ones over the ${label}.`,
    ),
    definitions.map((definition) => {
      const boards = overview.boards.filter((b) => b.definition === definition);
      const sla = boards[0]?.timeoutMs;
      return h(
        'section',
        { class: 'definition', 'aria-labelledby': `def-${definition}` },
        h('h2', { id: `def-${definition}` }, definition, h('span', { class: 'hint' }, ` SLA ${duration(sla)}`)),
        h(
          'div',
          { class: 'side-by-side' },
          boards.map((b) => Board(b, label)),
        ),
      );
    }),
  );
}

/** Overview: per definition, choreography and orchestration side by side, updated live. */
export function showOverview(main: HTMLElement, live: LiveHub): () => void {
  let range = Number(sessionStorage.getItem('overview-range') ?? 60);
  const select = h(
    'select',
    { name: 'range' },
    RANGES.map(([m, label]) => h('option', { value: m, selected: m === range }, label)),
  );
  const content = h('div', {});
  replace(main, h('h1', {}, 'Overview'), h('p', { class: 'controls' }, h('label', {}, 'Time range ', select)), content);
  const load = async () => {
    try {
      draw(content, await consoleClient.overview(range));
    } catch (error) {
      replace(content, h('p', { role: 'alert' }, `The tracker does not answer: ${(error as Error).message}`));
    }
  };
  select.addEventListener('change', () => {
    range = Number(select.value);
    sessionStorage.setItem('overview-range', String(range));
    void load();
  });
  const refresh = throttle(() => void load(), 500);
  const unsubscribe = live.subscribe(refresh);
  // Ended flows leave the range as time passes, with no change to announce them.
  const timer = window.setInterval(refresh, 30_000);
  void load();
  return () => {
    unsubscribe();
    refresh.cancel();
    window.clearInterval(timer);
  };
}
