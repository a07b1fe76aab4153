import { EventTable } from '../components/event-table';
import { FlowTimeline } from '../components/flow-timeline';
import { StatusBadge } from '../components/status-badge';
import { TraceTimeline } from '../components/trace-timeline';
import { ConsoleApiError, consoleClient, type FlowDetail } from '../console-client';
import { h, replace } from '../dom';
import { duration, time } from '../format';
import { throttle, type LiveHub } from '../live-hub';

const OPEN = new Set(['running', 'compensating', 'stalled']);

function waitingLine(detail: FlowDetail, now: number): string {
  const { flow, pendingStep, waitingSince, deadline } = detail;
  if (!OPEN.has(flow.status))
    return `Ended ${flow.status} at ${time(flow.endedAt)} after ${duration(flow.durationMs)}.`;
  const waits = `Waiting for ${pendingStep ?? 'nothing pending'} since ${time(waitingSince)} (${duration(now - Date.parse(waitingSince))}).`;
  const left = Date.parse(deadline) - now;
  if (flow.status === 'stalled')
    return `${waits} Stalled: its SLA of ${duration(flow.timeoutMs)} ran out at ${time(deadline)}.`;
  return left > 0 ? `${waits} SLA ends in ${duration(left)}.` : `${waits} SLA ran out at ${time(deadline)}.`;
}

function Summary(detail: FlowDetail, now: number): HTMLElement {
  const { flow } = detail;
  const item = (label: string, value: Node | string) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
  return h(
    'section',
    { 'aria-label': 'Summary' },
    h(
      'p',
      { role: 'status', class: `state ${flow.status}` },
      'Status: ',
      StatusBadge(flow.status),
      ' ',
      h('span', { class: 'waiting' }, waitingLine(detail, now)),
    ),
    h(
      'dl',
      { class: 'facts' },
      item('Definition', flow.definition),
      item('Style', flow.style),
      item('Started', time(flow.startedAt)),
      item('Last event', time(flow.lastEventAt)),
      item('Ended', time(flow.endedAt)),
      item('Duration', duration(flow.durationMs)),
      item('Duplicates', String(flow.duplicates)),
    ),
  );
}

function NotFound(main: HTMLElement, message: string): void {
  document.title = 'Flow not found · Flowscope';
  replace(
    main,
    h('h1', {}, 'Flow not found'),
    h('p', { role: 'alert' }, message),
    h('p', {}, h('a', { href: '#/flows' }, 'Back to the flows list')),
  );
}

/** One flow: where it stands, its steps on a time axis, its events and its traces joined; live. */
export function showFlow(main: HTMLElement, live: LiveHub, definition: string, key: string): () => void {
  let detail: FlowDetail | undefined;
  const summary = h('div', {});
  const steps = h('div', {});
  const events = h('div', {});
  const traces = h('div', {}, h('h2', {}, 'Traces'), h('p', {}, 'Fetching the traces from Jaeger…'));
  const drawTimes = () =>
    detail && (replace(summary, Summary(detail, Date.now())), replace(steps, FlowTimeline(detail, Date.now())));
  const loadFlow = async () => {
    try {
      detail = await consoleClient.flow(definition, key);
    } catch (error) {
      if (error instanceof ConsoleApiError && error.status === 404) return NotFound(main, error.message);
      return replace(summary, h('p', { role: 'alert' }, `The tracker does not answer: ${(error as Error).message}`));
    }
    drawTimes();
    replace(events, EventTable(detail));
  };
  const loadTraces = async () => {
    try {
      replace(traces, TraceTimeline(await consoleClient.traces(definition, key)));
    } catch (error) {
      if (!(error instanceof ConsoleApiError && error.status === 404))
        replace(
          traces,
          h('h2', {}, 'Traces'),
          h('p', { role: 'status' }, `Cannot fetch traces: ${(error as Error).message}`),
        );
    }
  };
  replace(
    main,
    h('h1', {}, `Flow ${key}`),
    summary,
    steps,
    h('p', {}, h('button', { type: 'button', onclick: () => void loadTraces() }, 'Reload traces')),
    traces,
    events,
  );
  // Spans reach Jaeger a moment after the events reach the tracker: traces refresh a little later.
  const refreshTraces = throttle(() => void loadTraces(), 2000);
  const refresh = throttle(() => void loadFlow(), 200);
  const unsubscribe = live.subscribe((change) => {
    if (change.definition !== definition || change.key !== key) return;
    refresh();
    refreshTraces();
  });
  // Status changes arrive live; events that change no status are picked up by a poll while open.
  let ticks = 0;
  const clock = window.setInterval(() => {
    drawTimes();
    if (++ticks % 3 === 0 && detail && OPEN.has(detail.flow.status)) refresh();
  }, 1000);
  void loadFlow().then(loadTraces);
  return () => {
    unsubscribe();
    refresh.cancel();
    refreshTraces.cancel();
    window.clearInterval(clock);
  };
}
