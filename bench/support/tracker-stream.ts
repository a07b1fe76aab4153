// The event streams of the tracker benchmark: mixed scenarios interleaved the way a live system
// interleaves them, one-event flows that end at once, and publishing them with bounded concurrency.
import type { EventType } from '@flowscope/contracts';
import type { JetStreamClient } from 'nats';
import { flowEvents, SCENARIOS } from '../../test/support/tracker';
import type { Say } from './report';

/** One event as it goes on the wire, with the flow it belongs to. */
export interface StreamEvent {
  key: string;
  /** Position of the event within its flow's scenario. */
  index: number;
  subject: string;
  id: string;
  payload: string;
}

const SCENARIO_NAMES = Object.keys(SCENARIOS);

/** The status each scenario of test/support/tracker.ts ends in (ARCHITECTURE.md "Flow definitions"). */
export const FINAL_STATUS: Record<string, string> = {
  completed: 'completed',
  failed: 'failed',
  compensatedStock: 'compensated',
  compensatedShipment: 'compensated',
  stuck: 'running', // with FLOW_TIMEOUT_MS far away, it never stalls during a run
};

/** The scenario of the `i`-th flow of a mixed stream: the scenarios in turn. */
export const scenarioOf = (i: number): string => SCENARIO_NAMES[i % SCENARIO_NAMES.length];

/** Flow `i` of a mixed stream: its key, scenario, event types and final status. */
export function mixedFlow(prefix: string, i: number) {
  const scenario = scenarioOf(i);
  const types = SCENARIOS[scenario];
  return { key: `${prefix}-${i}`, scenario, types, events: types.length, status: FINAL_STATUS[scenario] };
}

/** A flow whose final state the bench knows: its status and how many distinct events it has. */
export interface ExpectedFlow {
  key: string;
  status: string;
  events: number;
}

/** The final state of every flow of a mixed stream of `flows` flows. */
export const mixedFlows = (prefix: string, flows: number): ExpectedFlow[] =>
  Array.from({ length: flows }, (_, i) => mixedFlow(prefix, i));

/** Flows `from`..`to`-1 of a one-event stream, in `status`. */
export const oneEventFlows = (prefix: string, from: number, to: number, status: string): ExpectedFlow[] =>
  Array.from({ length: to - from }, (_, i) => ({ key: `${prefix}-${from + i}`, status, events: 1 }));

/** How many flows end in each terminal status (one `flow.<status>` message each). */
export function terminalCounts(flows: ExpectedFlow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of flows) if (f.status !== 'running') counts[f.status] = (counts[f.status] ?? 0) + 1;
  return counts;
}

function wire(key: string, types: EventType[], start: number): StreamEvent[] {
  return flowEvents(key, types, start).map((event, index) => ({
    key,
    index,
    subject: event.type,
    id: event.id,
    payload: JSON.stringify(event),
  }));
}

/**
 * The events of `flows` mixed flows, in waves of `wave` flows: first event of every flow of the
 * wave, then the second of each, and so on. A live system interleaves flows like this; `wave` 1
 * publishes each flow's events back to back (the order the "today" figures were taken in).
 */
export function* mixedStream(prefix: string, flows: number, wave: number): Generator<StreamEvent> {
  const start = Date.now();
  for (let first = 0; first < flows; first += wave) {
    const perFlow = [];
    for (let i = first; i < Math.min(first + wave, flows); i++)
      perFlow.push(wire(`${prefix}-${i}`, mixedFlow(prefix, i).types, start + i));
    const longest = Math.max(...perFlow.map((events) => events.length));
    for (let index = 0; index < longest; index++)
      for (const events of perFlow) if (index < events.length) yield events[index];
  }
}

/** How many events {@link mixedStream} yields for `flows` flows. */
export function mixedStreamLength(flows: number): number {
  let total = 0;
  for (let i = 0; i < flows; i++) total += SCENARIOS[scenarioOf(i)].length;
  return total;
}

/** Flows `from`..`to`-1 that end with their only event: `payment.declined` alone makes a flow `failed`. */
export function* endedFlowStream(prefix: string, from: number, to: number): Generator<StreamEvent> {
  const start = Date.now();
  for (let i = from; i < to; i++) yield* wire(`${prefix}-${i}`, ['payment.declined'], start + i);
}

/** Flows `from`..`to`-1 that stay open: `order.placed` alone makes a flow `running`. */
export function* openFlowStream(prefix: string, from: number, to: number): Generator<StreamEvent> {
  const start = Date.now();
  for (let i = from; i < to; i++) yield* wire(`${prefix}-${i}`, ['order.placed'], start + i);
}

/** JetStream publishes (as the services do: `Nats-Msg-Id` = event id) whose PubAcks are awaited together. */
export class PublishWindow {
  private pending = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly js: JetStreamClient) {}

  get inFlight(): number {
    return this.pending;
  }

  send(event: StreamEvent, onAcked?: (e: StreamEvent) => void): void {
    this.pending++;
    this.js.publish(event.subject, event.payload, { msgID: event.id }).then(
      () => {
        onAcked?.(event);
        this.settled();
      },
      (error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
        this.settled();
      },
    );
  }

  /** Resolves once at most `limit` PubAcks are outstanding; rejects with the first failed publish. */
  async below(limit: number): Promise<void> {
    while (this.pending > limit) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  private settled(): void {
    this.pending--;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Publishes `events` with `concurrency` PubAcks in flight, with a progress line every tenth. */
export async function publishAll(
  js: JetStreamClient,
  events: Iterable<StreamEvent>,
  opts: {
    label: string;
    total: number;
    say: Say;
    concurrency?: number;
    /** Awaited at every progress line (e.g. to stop when the tracker's memory runs away). */
    check?: () => Promise<void>;
  },
): Promise<{ published: number; seconds: number }> {
  const publisher = new PublishWindow(js);
  const started = performance.now();
  let [published, reported] = [0, 0];
  for (const event of events) {
    publisher.send(event);
    await publisher.below((opts.concurrency ?? 2000) - 1);
    if (++published - reported >= opts.total / 10) {
      reported = published;
      opts.say(`${opts.label}: published ${published}/${opts.total}`);
      await opts.check?.();
    }
  }
  await publisher.below(0);
  const seconds = (performance.now() - started) / 1000;
  opts.say(`${opts.label}: ${published} published in ${seconds.toFixed(1)} s (${(published / seconds).toFixed(0)}/s)`);
  return { published, seconds };
}
