// The one typed client of the console's API; its types are the tracker's own (type-only imports).
import type { FlowDefinition } from '@flowscope/contracts';
import type { FlowDetail, FlowListQuery, FlowRowPage } from '../../src/console/console-views';
import type { FlowStatusChange } from '../../src/console/flow-queries';
import type { Overview } from '../../src/console/overview';
import type { FlowTraces } from '../../src/console/traces/joined-timeline';

export type { FlowDefinition, FlowDetail, FlowListQuery, FlowRowPage, FlowStatusChange, FlowTraces, Overview };
export type { FlowRow } from '../../src/console/console-views';
export type { OverviewBoard } from '../../src/console/overview';
export type { JoinedTimeline, TimelineSpan, TimelineEdge } from '../../src/console/traces/joined-timeline';

/** The API answered with an error: `status` and its `{error, message}` body. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path.startsWith('/') ? path : `/api/console/${path}`, {
    headers: { accept: 'application/json' },
  });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string; message?: string };
  if (!res.ok)
    throw new ConsoleApiError(
      res.status,
      body.error ?? 'HTTP_ERROR',
      body.message ?? `${res.status} ${res.statusText}`,
    );
  return body;
}

const segment = encodeURIComponent;

export const consoleClient = {
  /** The tracker's own API: the loaded flow definitions. */
  definitions: async () => (await get<{ items: FlowDefinition[] }>('/definitions')).items,
  overview: (rangeMinutes: number) => get<Overview>(`overview?range=${rangeMinutes}`),
  flows: (query: FlowListQuery) => {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
    return get<FlowRowPage>(`flows?${params.toString()}`);
  },
  flow: (definition: string, key: string) => get<FlowDetail>(`flows/${segment(definition)}/${segment(key)}`),
  traces: (definition: string, key: string) => get<FlowTraces>(`flows/${segment(definition)}/${segment(key)}/traces`),
  /** Calls `onChange` for every status change the tracker sees; returns the function that stops it. */
  changes(onChange: (change: FlowStatusChange) => void, onState: (live: boolean) => void): () => void {
    const source = new EventSource('/api/console/events');
    source.addEventListener('change', (e) =>
      onChange(JSON.parse((e as MessageEvent<string>).data) as FlowStatusChange),
    );
    source.addEventListener('open', () => onState(true));
    source.addEventListener('error', () => onState(false));
    return () => source.close();
  },
};
