// Watching a tracker from outside, through its public surfaces only: the `flow.<status>` messages
// it publishes on core NATS, its API (GET /flows/<definition>/<key>) and its /metrics. Nothing here
// depends on how the tracker consumes (durable or ordered consumers) or where it checkpoints.
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type NatsConnection, type Subscription } from 'nats';
import type { AppProcess } from '../../deploy/launch/apps';
import { httpJson } from '../../deploy/launch/probe';
import { allFlows, type FlowBody } from '../../test/support/tracker';
import type { Say } from './report';
import type { ExpectedFlow } from './tracker-stream';

const TERMINAL = new Set(['completed', 'failed', 'compensated']);
const MiB = 2 ** 20;

/** One `flow.<status>` message as the bench saw it. */
export type FlowMessageListener = (key: string, status: string, at: number) => void;

/** Counts the tracker's `flow.>` publishes, on a connection of its own, from before the tracker starts. */
export class FlowWatch {
  /** performance.now() of the first `flow.*` message: the tracker's first delivery, seen from outside. */
  firstAt: number | undefined;
  messages = 0;
  terminal = 0;
  lastTerminalAt = 0;
  /** performance.now() of the latest message. */
  lastAt = 0;
  readonly byStatus: Record<string, number> = {};
  private readonly listeners: FlowMessageListener[] = [];
  private readonly firstListeners: (() => void)[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly sub: Subscription,
  ) {}

  static async start(natsUrl: string): Promise<FlowWatch> {
    const nc = await connect({ servers: natsUrl, name: 'bench-flow-watch' });
    let watch: FlowWatch | undefined = undefined;
    const sub = nc.subscribe('flow.>', { callback: (_error, m) => watch?.received(m.json()) });
    watch = new FlowWatch(nc, sub);
    await nc.flush(); // the subscription is known to the server before anything is started
    return watch;
  }

  /** Called for every message from now on. */
  listen(listener: FlowMessageListener): void {
    this.listeners.push(listener);
  }

  /** Called once, on the first message (or at once if it came already). */
  onFirst(listener: () => void): void {
    if (this.firstAt === undefined) this.firstListeners.push(listener);
    else listener();
  }

  async stop(): Promise<void> {
    this.sub.unsubscribe();
    await this.nc.close();
  }

  private received({ key, status }: { key: string; status: string }): void {
    const at = performance.now();
    if (this.firstAt === undefined) {
      this.firstAt = at;
      for (const listener of this.firstListeners.splice(0)) listener();
    }
    this.messages++;
    this.lastAt = at;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (TERMINAL.has(status)) [this.terminal, this.lastTerminalAt] = [this.terminal + 1, at];
    for (const listener of this.listeners) listener(key, status, at);
  }
}

/** Whether the API shows `flow` in its final state. */
export async function visible(tracker: AppProcess, flow: ExpectedFlow): Promise<boolean> {
  const res = await httpJson<FlowBody>(`${tracker.url}/flows/order-fulfillment/${flow.key}`, { timeoutMs: 10_000 });
  return res.status === 200 && res.body.status === flow.status && res.body.events.length === flow.events;
}

/** Every flow through the paged list (GET /flows), against what was published: how many differ, and a few. */
export async function verifyAll(tracker: AppProcess, expected: ExpectedFlow[]) {
  try {
    const listed = new Map((await allFlows(tracker)).map((f) => [f.key, f]));
    const wrong = expected.filter((e) => {
      const flow = listed.get(e.key);
      return !flow || flow.status !== e.status || flow.events.length !== e.events;
    });
    const got = (key: string) => {
      const flow = listed.get(key);
      return flow ? { status: flow.status, events: flow.events.length } : null;
    };
    return {
      flows: expected.length,
      listed: listed.size,
      mismatches: wrong.length,
      examples: wrong.slice(0, 5).map((e) => ({ expected: e, got: got(e.key) })),
    };
  } catch (error) {
    return { flows: expected.length, error: String(error) };
  }
}

/** Thrown when a tracker's RSS passes the limit the bench was given (today's tracker grows without bound). */
export class RssLimitExceeded extends Error {
  override readonly name = 'RssLimitExceeded';
  constructor(readonly rssMiB: number) {
    super(`tracker RSS ${rssMiB} MiB passed BENCH_MAX_RSS_MIB`);
  }
}

/** Thrown when a tracker process ended during a phase (e.g. out of memory); carries its last output. */
export class TrackerGone extends Error {
  override readonly name = 'TrackerGone';
  constructor(logs: string) {
    super(`the tracker exited\n${logs}`);
  }
}

export interface CaughtUpOptions {
  watch: FlowWatch;
  /** The replica whose API is polled (any replica answers for any flow). */
  tracker: AppProcess;
  /** Every tracker process of the phase: one that exits fails the wait at once. */
  processes?: AppProcess[];
  /** The watch has seen at least this many messages of a status (all partitions took part). */
  counts: Record<string, number>;
  /** The last flows published: the API shows each in its final state. */
  lastFlows: ExpectedFlow[];
  label: string;
  say: Say;
  timeoutMs?: number;
  maxRssMiB?: number;
}

/** When a tracker caught up, how that was decided, and how many `flow.*` messages never came. */
export interface CaughtUp {
  /** performance.now() */
  at: number;
  /** `counts`: every expected message came; `quiet`: the last flows are final and no message came for 3 s. */
  by: 'counts' | 'quiet';
  missingMessages: Record<string, number>;
}

const QUIET_MS = 3000;

/**
 * Resolves at the poll (every 20 ms) at which the API shows every one of `lastFlows` in its final
 * state and the watch's counts are reached. `flow.*` is core NATS, at most once (of 1,000,000
 * flow.failed of today's tracker, 1,307 and 3,516 never reached the bench, with no slow consumer on
 * the server and no redelivery), so the counts alone cannot
 * gate: once the last flows are final and the tracker published nothing for 3 s, it has caught up
 * at its last message, and what is missing is reported.
 */
export async function caughtUp(opts: CaughtUpOptions): Promise<CaughtUp> {
  const deadline = performance.now() + (opts.timeoutMs ?? 3_600_000);
  let [lastSay, lastCount] = [performance.now(), opts.watch.messages];
  for (;;) {
    const now = performance.now();
    for (const p of opts.processes ?? [opts.tracker])
      if (p.process && !p.process.running) throw new TrackerGone(p.logs());
    if (now - lastSay >= 5000) {
      const rate = ((opts.watch.messages - lastCount) / (now - lastSay)) * 1000;
      const rss = opts.maxRssMiB ? await trackerMemory(opts.tracker).catch(() => undefined) : undefined;
      opts.say(
        `${opts.label}: flow.* seen ${JSON.stringify(opts.watch.byStatus)} (${rate.toFixed(0)}/s)${rss ? `, tracker RSS ${rss.rssMiB} MiB` : ''}`,
      );
      if (rss && opts.maxRssMiB && rss.rssMiB > opts.maxRssMiB) throw new RssLimitExceeded(rss.rssMiB);
      [lastSay, lastCount] = [now, opts.watch.messages];
    }
    if (now > deadline)
      throw new Error(`${opts.label}: not caught up in time; seen ${JSON.stringify(opts.watch.byStatus)}`);
    const missing = Object.fromEntries(
      Object.entries(opts.counts)
        .map(([status, n]) => [status, n - (opts.watch.byStatus[status] ?? 0)] as const)
        .filter(([, short]) => short > 0),
    );
    const counted = Object.keys(missing).length === 0;
    const quiet = now - opts.watch.lastAt >= QUIET_MS;
    if ((counted || quiet) && (await allVisible(opts.tracker, opts.lastFlows)))
      return counted
        ? { at: now, by: 'counts', missingMessages: missing }
        : { at: opts.watch.lastAt, by: 'quiet', missingMessages: missing };
    await delay(20);
  }
}

async function allVisible(tracker: AppProcess, flows: ExpectedFlow[]): Promise<boolean> {
  for (const flow of flows) if (!(await visible(tracker, flow).catch(() => false))) return false;
  return true;
}

export interface TrackerMemory {
  rssMiB: number;
  heapUsedMiB: number;
  /** What V8 holds for its heap (used, garbage not collected yet, free pages kept). */
  heapTotalMiB: number;
  /** Memory of buffers outside the V8 heap (message payloads). */
  externalMiB: number;
  /** Size V8 holds per heap space (new, old, code, large_object…): where heapTotal goes. */
  spacesMiB: Record<string, number>;
}

/** A tracker's /metrics (prom-client's default metrics among them), and one unlabelled value of it. */
async function scrape(tracker: AppProcess): Promise<{ text: string; value: (name: string) => number }> {
  const text = String((await httpJson<string>(`${tracker.url}/metrics`, { timeoutMs: 10_000 })).body);
  return { text, value: (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) };
}

/** RSS and V8 heap of a tracker, from its /metrics, in MiB. */
export async function trackerMemory(tracker: AppProcess): Promise<TrackerMemory> {
  const { text, value } = await scrape(tracker);
  const mib = (name: string) => Math.round(value(name) / MiB);
  return {
    rssMiB: mib('process_resident_memory_bytes'),
    heapUsedMiB: mib('nodejs_heap_size_used_bytes'),
    heapTotalMiB: mib('nodejs_heap_size_total_bytes'),
    externalMiB: mib('nodejs_external_memory_bytes'),
    spacesMiB: Object.fromEntries(
      [...text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)/gm)]
        .map(([, space, bytes]) => [space, Math.round(Number(bytes) / MiB)] as const)
        .filter(([, size]) => size > 0),
    ),
  };
}

/** GC time and pauses per kind so far, and the event loop's delay since the last scrape, from /metrics. */
export async function trackerRuntime(tracker: AppProcess) {
  const { text, value } = await scrape(tracker);
  const gc: Record<string, { count: number; seconds: number }> = {};
  for (const [, part, kind, total] of text.matchAll(
    /^nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} (\S+)/gm,
  )) {
    gc[kind] ??= { count: 0, seconds: 0 };
    if (part === 'sum') gc[kind].seconds = Number(total);
    else gc[kind].count = Number(total);
  }
  return {
    gc,
    eventLoopDelayMs: {
      p99: Math.round(value('nodejs_eventloop_lag_p99_seconds') * 1e4) / 10,
      max: Math.round(value('nodejs_eventloop_lag_max_seconds') * 1e4) / 10,
    },
  };
}

/** What `after` adds to `before` (GC per kind): the GC of one stretch of a run. */
export function gcBetween(
  before: Awaited<ReturnType<typeof trackerRuntime>>,
  after: Awaited<ReturnType<typeof trackerRuntime>>,
) {
  return Object.fromEntries(
    Object.entries(after.gc).map(([kind, { count, seconds }]) => {
      const [n, s] = [count - (before.gc[kind]?.count ?? 0), seconds - (before.gc[kind]?.seconds ?? 0)];
      return [kind, { count: n, totalMs: Math.round(s * 1000), meanMs: n > 0 ? Math.round((s / n) * 1e4) / 10 : 0 }];
    }),
  );
}

/**
 * The RSS to report once the tracker caught up: after `settleMs` (its last checkpoint and eviction
 * happen), `samples` readings 500 ms apart; the maximum is the figure (what a memory limit has to
 * allow; GC cannot be forced from outside), the readings are kept beside it.
 */
export async function settledMemory(tracker: AppProcess, settleMs = 2000, samples = 8) {
  await delay(settleMs);
  const readings = [];
  for (let i = 0; i < samples; i++) {
    readings.push(await trackerMemory(tracker));
    if (i < samples - 1) await delay(500);
  }
  return {
    // The heap as the last reading found it.
    ...readings[readings.length - 1],
    rssMiB: Math.max(...readings.map((r) => r.rssMiB)),
    rssReadingsMiB: readings.map((r) => r.rssMiB),
  };
}
