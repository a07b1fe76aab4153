import type { FlowTraces, JoinedTimeline, TimelineSpan } from '../console-client';
import { h, svg } from '../dom';
import { duration, short } from '../format';

const ROW_PX = 24;

/** Spans grouped by service (services in order of appearance), each group's spans by start. */
function lanes(timeline: JoinedTimeline): { service: string; spans: TimelineSpan[] }[] {
  return timeline.services.map((service) => ({ service, spans: timeline.spans.filter((s) => s.service === service) }));
}

function spanRow(span: TimelineSpan, total: number): HTMLElement {
  const left = (span.startMs / total) * 100;
  const width = Math.max(0.4, (span.durationMs / total) * 100);
  const error = span.error ? ` — error${span.errorMessage ? `: ${span.errorMessage}` : ''}` : '';
  return h(
    'li',
    { class: `span ${span.kind}${span.error ? ' error' : ''}`, title: `${span.traceId} / ${span.spanId}` },
    h(
      'span',
      { class: 'name' },
      span.name,
      h('span', { class: 'sr' }, ` (${span.kind}, ${duration(span.durationMs)} at +${duration(span.startMs)})`),
      error ? h('strong', { class: 'err' }, error) : null,
    ),
    h(
      'span',
      { class: 'track', 'aria-hidden': 'true' },
      h('span', { class: 'bar', style: `left:${left}%;width:${width}%` }),
    ),
  );
}

/** Curves from each hop's producer to its consumer, over the bars (decoration: the hops table says it all). */
function edgeOverlay(timeline: JoinedTimeline, rowOf: Map<string, number>, rows: number): SVGElement {
  const total = Math.max(timeline.durationMs, 1);
  const byId = new Map(timeline.spans.map((s) => [s.id, s]));
  const paths = timeline.edges.map((edge) => {
    const [from, to] = [byId.get(edge.from)!, byId.get(edge.to)!];
    const [x1, y1] = [(from.startMs / total) * 1000, rowOf.get(from.id)! * ROW_PX + ROW_PX / 2];
    const [x2, y2] = [(to.startMs / total) * 1000, rowOf.get(to.id)! * ROW_PX + ROW_PX / 2];
    const d = `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`;
    return svg('path', { d, class: edge.async ? 'edge async' : 'edge sync', 'vector-effect': 'non-scaling-stroke' });
  });
  return svg(
    'svg',
    { class: 'edges', viewBox: `0 0 1000 ${rows * ROW_PX}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' },
    ...paths,
  );
}

function HopTable(timeline: JoinedTimeline): HTMLElement {
  const byId = new Map(timeline.spans.map((s) => [s.id, s]));
  const label = (id: string) => `${byId.get(id)!.service}: ${byId.get(id)!.name}`;
  return h(
    'table',
    { class: 'hops' },
    h('caption', {}, `${timeline.edges.length} hops between services (async: through NATS)`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['From', 'To', 'Kind', 'Via', 'Waited in NATS'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      timeline.edges.map((e) =>
        h(
          'tr',
          {},
          h('td', {}, label(e.from)),
          h('td', {}, label(e.to)),
          h('td', {}, e.async ? 'async' : 'request/reply'),
          h('td', {}, e.via.join(' + ')),
          h('td', {}, e.waitedMs === null ? '–' : duration(e.waitedMs)),
        ),
      ),
    ),
  );
}

function Lanes(timeline: JoinedTimeline): HTMLElement {
  const total = Math.max(timeline.durationMs, 1);
  const rowOf = new Map<string, number>();
  let row = 0;
  const groups = lanes(timeline).map(({ service, spans }) => {
    row++; // the service's heading
    for (const s of spans) rowOf.set(s.id, row++);
    return h(
      'li',
      { class: 'lane' },
      h('h3', {}, service),
      h(
        'ul',
        { 'aria-label': `spans of ${service}` },
        spans.map((s) => spanRow(s, total)),
      ),
    );
  });
  return h(
    'div',
    { class: 'trace-timeline', style: `--rows:${row}` },
    h(
      'ol',
      {
        class: 'lanes',
        'aria-label': `Spans of ${timeline.services.length} services on one timeline of ${duration(timeline.durationMs)}`,
      },
      groups,
    ),
    edgeOverlay(timeline, rowOf, row),
  );
}

/** The flow's traces joined: every span by service on one time axis, the hops drawn between them. */
export function TraceTimeline(traces: FlowTraces): HTMLElement {
  const heading = h('h2', { id: 'traces-heading' }, 'Traces');
  if (!traces.available)
    return h(
      'section',
      { 'aria-labelledby': 'traces-heading' },
      heading,
      h('p', { role: 'status', class: 'notice' }, `No traces to show. ${traces.reason}`),
      traces.traceIds.length ? h('p', {}, `Trace ids: ${traces.traceIds.join(', ')}`) : null,
    );
  const { timeline, links } = traces;
  const linkOf = new Map(links.map((l) => [l.traceId, l]));
  return h(
    'section',
    { 'aria-labelledby': 'traces-heading' },
    heading,
    h(
      'ul',
      { class: 'trace-list', 'aria-label': 'Traces of this flow' },
      timeline.traces.map((t) => {
        const link = linkOf.get(t.traceId);
        return h(
          'li',
          {},
          h('span', { class: 'mono', title: t.traceId }, short(t.traceId)),
          t.state === 'found' ? ` ${t.spanCount} spans` : ' not in Jaeger',
          link?.jaegerUi
            ? [' · ', h('a', { href: link.jaegerUi, target: '_blank', rel: 'noopener' }, 'open in Jaeger UI')]
            : null,
          link?.grafana
            ? [' · ', h('a', { href: link.grafana, target: '_blank', rel: 'noopener' }, 'explore in Grafana')]
            : null,
        );
      }),
    ),
    timeline.missingSpans
      ? h(
          'p',
          { class: 'notice' },
          `${timeline.missingSpans} referenced spans are not in Jaeger (not exported yet, or lost).`,
        )
      : null,
    Lanes(timeline),
    HopTable(timeline),
  );
}
