// Benchmark (not a test) of issue 13's acceptance, in one run, `npm run bench:tracker`:
// 1. drain rate of one tracker on a pre-published stream of mixed flows, against a plain nats.js
//    durable consumer that parses and acks each message, on the same stream in the same run;
// 2. RSS with 100,000 flows in progress; 3. RSS after 100,000 and after 1,000,000 ended flows;
// 4. lag from publish to visible status at 5,000 events/s; 5. drain rate and CPU with 2 replicas.
// Every phase has a fresh nats-server. The tracker is watched from outside only (its `flow.>`
// publishes, its API, its /metrics). Sizes: BENCH_* below; BENCH_SKIP_<PHASE>=1 leaves a phase out.
import os from 'node:os';
import { httpJson } from '../deploy/launch/probe';
import { waitForTrackerDrained } from '../test/support/tracker';
import { knob, loadAverage, machine, progressLine } from './support/report';
import { round } from './support/stats';
import { pacedLag } from './support/tracker-lag';
import { acceptanceRows, writeTrackerResult } from './support/tracker-report';
import { drainWithPlainConsumer } from './support/tracker-plain-consumer';
import { cpuSlice, startRig, trackerEnv, type Rig } from './support/tracker-rig';
import {
  endedFlowStream,
  mixedFlows,
  mixedStream,
  mixedStreamLength,
  oneEventFlows,
  openFlowStream,
  publishAll,
  terminalCounts,
} from './support/tracker-stream';
import {
  caughtUp,
  gcBetween,
  RssLimitExceeded,
  settledMemory,
  TrackerGone,
  trackerMemory,
  trackerRuntime,
  verifyAll,
} from './support/tracker-watch';

const say = progressLine('tracker');
const SIZES = {
  flows: knob('BENCH_FLOWS', 20_000), // 104,000 events of mixed scenarios
  wave: knob('BENCH_WAVE', 1000), // flows interleaved in the stream; 1 = each flow's events back to back
  openFlows: knob('BENCH_OPEN_FLOWS', 100_000),
  endedFlowsFirst: knob('BENCH_ENDED_FLOWS_FIRST', 100_000),
  endedFlows: knob('BENCH_ENDED_FLOWS', 1_000_000),
  lagRate: knob('BENCH_LAG_RATE', 5000),
  lagSeconds: knob('BENCH_LAG_SECONDS', 20),
  replicas: knob('BENCH_REPLICAS', 2),
  maxRssMiB: knob('BENCH_MAX_RSS_MIB', 4096), // an ended-flows phase stops there (today's tracker never evicts)
};
const ACCEPTANCE_SIZES = { flows: 20_000, openFlows: 100_000, endedFlowsFirst: 100_000, endedFlows: 1_000_000 };
const PHASES = ['drain', 'open', 'ended', 'lag', 'replicas'] as const;
const skipped = PHASES.filter((p) => process.env[`BENCH_SKIP_${p.toUpperCase()}`] === '1');

/** Runs a phase on a rig of its own; adds nats-server's slow-consumer count (a dropped `flow.*` shows there). */
async function withRig<T>(label: string, run: (rig: Rig) => Promise<T>): Promise<T & { natsSlowConsumers: number }> {
  say(`${label}: fresh nats-server (load ${loadAverage().join(' ')})`);
  const rig = await startRig();
  try {
    const result = await run(rig);
    const varz = await httpJson<{ slow_consumers: number }>(`${rig.nats.monitorUrl}/varz`);
    return { ...result, natsSlowConsumers: varz.body.slow_consumers };
  } finally {
    await rig.stop();
  }
}

/** Trackers drain the pre-published mixed stream: first `flow.*` message → last flows final in the API. */
async function drainByTrackers(rig: Rig, prefix: string, replicas: number) {
  const expected = mixedFlows(prefix, SIZES.flows);
  const events = mixedStreamLength(SIZES.flows);
  let cpu: ReturnType<typeof cpuSlice> | undefined;
  rig.watch.onFirst(() => (cpu = cpuSlice(rig.pids())));
  const startedAt = performance.now();
  await rig.startTrackers(replicas, `drain-${replicas}`);
  const terminalWhenAllHealthy = rig.watch.terminal;
  const done = await caughtUp({
    watch: rig.watch,
    tracker: rig.trackers[0],
    processes: rig.trackers,
    counts: terminalCounts(expected),
    lastFlows: expected.slice(-20),
    label: `${replicas} tracker(s)`,
    say,
  });
  const [first, end] = [rig.watch.firstAt!, done.at];
  const slice = cpu!(end);
  // GC since each tracker started (its start-up is a small part of it), read before the checks below.
  const gc = await Promise.all(rig.trackers.map(async (t) => (await trackerRuntime(t)).gc));
  const seconds = (end - first) / 1000;
  const allHealthy = Math.max(...rig.healthyAt);
  const verified = await Promise.all(rig.trackers.map((t) => verifyAll(t, expected)));
  const terminalTotal = rig.watch.terminal;
  return {
    events,
    caughtUp: { by: done.by, missingFlowMessages: done.missingMessages },
    seconds: round(seconds, 2),
    eventsPerSecond: Math.round(events / seconds),
    eventsPerSecondToLastTerminalFlowMessage: Math.round(events / ((rig.watch.lastTerminalAt - first) / 1000)),
    firstDeliveryAfterSpawnSeconds: round((first - startedAt) / 1000, 2),
    healthyAfterFirstDeliverySeconds: rig.healthyAt.map((t) => round((t - first) / 1000, 2)),
    approxEventsPerSecondOnceAllHealthy:
      allHealthy < end
        ? Math.round(
            (events * (1 - terminalWhenAllHealthy / terminalTotal)) / ((end - Math.max(allHealthy, first)) / 1000),
          )
        : null,
    ...slice,
    gcPerReplica: gc,
    verifiedPerReplica: verified,
  };
}

async function drainPhase() {
  return withRig('drain', async (rig) => {
    const events = mixedStreamLength(SIZES.flows);
    await publishAll(rig.js, mixedStream('d', SIZES.flows, SIZES.wave), { label: 'stream', total: events, say });
    // The plain consumers drain before and after the tracker, so the tracker is bracketed by its yardstick.
    const plain = async (when: string) => {
      const forAwait = await drainWithPlainConsumer(rig.nc, rig.jsm, events, 'forAwait', when);
      const callback = await drainWithPlainConsumer(rig.nc, rig.jsm, events, 'callback', when);
      say(
        `plain consumer, ${when}: for await ${forAwait.eventsPerSecond} events/s, callback ${callback.eventsPerSecond}`,
      );
      return { forAwait, callback };
    };
    const before = await plain('before');
    const tracker = await drainByTrackers(rig, 'd', 1);
    say(`one tracker: ${tracker.eventsPerSecond} events/s, CPU ${JSON.stringify(tracker.cpuPercentOfOneCore)}`);
    say(`its GC since start: ${JSON.stringify(tracker.gcPerReplica[0])}`);
    const after = await plain('after');
    const mean = (form: 'forAwait' | 'callback') =>
      Math.round((before[form].eventsPerSecond + after[form].eventsPerSecond) / 2);
    return {
      stream: { events, flows: SIZES.flows, wave: SIZES.wave },
      plainConsumer: { before, after, meanForAwait: mean('forAwait'), meanCallback: mean('callback') },
      tracker,
      ratio: {
        trackerVsForAwait: round(tracker.eventsPerSecond / mean('forAwait'), 3),
        trackerVsCallback: round(tracker.eventsPerSecond / mean('callback'), 3),
      },
    };
  });
}

async function openPhase() {
  return withRig('open flows', async (rig) => {
    const n = SIZES.openFlows;
    await publishAll(rig.js, openFlowStream('open', 0, n), { label: 'open flows', total: n, say });
    const [tracker] = await rig.startTrackers(1, 'open');
    const done = await caughtUp({
      watch: rig.watch,
      tracker,
      counts: { running: n },
      lastFlows: oneEventFlows('open', n - 20, n, 'running'),
      label: 'open flows',
      say,
      maxRssMiB: SIZES.maxRssMiB,
    });
    const ingestSeconds = round((done.at - rig.watch.firstAt!) / 1000, 1);
    const memory = await settledMemory(tracker);
    say(`RSS with ${n} flows in progress: ${memory.rssMiB} MiB; again after 20 s idle...`);
    // V8 gives back the garbage of the ingest only when allocation has been quiet for a while (its
    // memory reducer): both readings are reported, the first one is the one the row uses.
    const idle = await settledMemory(tracker, 20_000, 4);
    say(`RSS with ${n} flows in progress after 20 s idle: ${idle.rssMiB} MiB (heap used ${idle.heapUsedMiB} MiB)`);
    const caught = { by: done.by, missingFlowMessages: done.missingMessages };
    return { flows: n, ingestSeconds, caughtUp: caught, ...memory, idle, loadAverage: loadAverage() };
  });
}

/** One tracker, `first` flows that end with one event, then up to `last`; RSS after each. */
async function endedPhase() {
  return withRig('ended flows', async (rig) => {
    const [first, last] = [SIZES.endedFlowsFirst, SIZES.endedFlows];
    const step = async (from: number, to: number, startTracker: boolean) => {
      const check = async () => {
        const tracker = rig.trackers[0];
        if (tracker?.process && !tracker.process.running) throw new TrackerGone(tracker.logs());
        const rss = tracker
          ? await trackerMemory(tracker).then(
              (m) => m.rssMiB,
              () => 0,
            )
          : 0; // busy: next time
        if (rss > SIZES.maxRssMiB) throw new RssLimitExceeded(rss);
      };
      const label = `ended flows to ${to}`;
      await publishAll(rig.js, endedFlowStream('end', from, to), { label, total: to - from, say, check });
      if (startTracker) await rig.startTrackers(1, 'ended');
      const began = performance.now();
      const done = await caughtUp({
        watch: rig.watch,
        tracker: rig.trackers[0],
        counts: { failed: to },
        lastFlows: oneEventFlows('end', to - 20, to, 'failed'),
        label: `ended flows to ${to}`,
        say,
        maxRssMiB: SIZES.maxRssMiB,
      });
      // Ended flows leave memory once checkpointed: both readings are taken once the checkpoint covers
      // the stream (after a backlog of 900,000 the last checkpoints come seconds after the statuses).
      const statusesAt = performance.now();
      await waitForTrackerDrained(rig.trackers[0], rig.jsm, 120_000);
      const checkpointedAfterSeconds = round((performance.now() - statusesAt) / 1000, 1);
      const memory = await settledMemory(rig.trackers[0]);
      say(
        `RSS after ${to} ended flows: ${memory.rssMiB} MiB (heap used ${memory.heapUsedMiB}); again after 20 s idle...`,
      );
      // As in the open-flows phase: V8 collects the last checkpoints' garbage once allocation is quiet.
      const idle = await settledMemory(rig.trackers[0], 20_000, 4);
      say(`RSS after ${to} ended flows, 20 s idle: ${idle.rssMiB} MiB (heap used ${idle.heapUsedMiB})`);
      return {
        flows: to,
        catchUpSeconds: round((done.at - began) / 1000, 1),
        checkpointedAfterSeconds,
        caughtUp: { by: done.by, missingFlowMessages: done.missingMessages },
        ...memory,
        idle,
        loadAverage: loadAverage(),
      };
    };
    const afterFirst = await step(0, first, true);
    try {
      const afterLast = await step(first, last, false);
      return {
        afterFirst,
        afterLast,
        ratio: round(afterLast.rssMiB / afterFirst.rssMiB, 3),
        ratioIdle: round(afterLast.idle.rssMiB / afterFirst.idle.rssMiB, 3),
      };
    } catch (error) {
      if (!(error instanceof RssLimitExceeded || error instanceof TrackerGone)) throw error;
      const seen = rig.watch.byStatus.failed ?? 0;
      say(`stopped: ${error.message.split('\n')[0]} after ${seen} ended flows`);
      const rssMiB = error instanceof RssLimitExceeded ? error.rssMiB : null;
      return { afterFirst, afterLast: { aborted: error.message, rssMiB, endedFlowsSeen: seen }, ratio: null };
    }
  });
}

async function lagPhase() {
  return withRig('lag', async (rig) => {
    const [tracker] = await rig.startTrackers(1, 'lag');
    // Paced publishing starts once the tracker demonstrably consumes (health comes before that).
    await publishAll(rig.js, openFlowStream('ready', 0, 1), { label: 'readiness probe', total: 1, say });
    const ready = [{ key: 'ready-0', status: 'running', events: 1 }];
    await caughtUp({ watch: rig.watch, tracker, counts: {}, lastFlows: ready, label: 'readiness', say });
    const before = await trackerRuntime(tracker); // also starts the event loop's delay afresh
    const lag = await pacedLag(rig.js, rig.watch, {
      rate: SIZES.lagRate,
      seconds: SIZES.lagSeconds,
      warmupSeconds: 2,
      wave: SIZES.wave,
      say,
    });
    say(`lag at ${lag.achievedEventsPerSecond} events/s: p50 ${lag.lagMs.p50} ms, p99 ${lag.lagMs.p99} ms`);
    const after = await trackerRuntime(tracker);
    // What stops the tracker during the run: its GC pauses, and how late its event loop ran.
    const runtime = { gc: gcBetween(before, after), eventLoopDelayMs: after.eventLoopDelayMs };
    say(
      `lag: tracker's GC ${JSON.stringify(runtime.gc)}, event loop delay ${JSON.stringify(runtime.eventLoopDelayMs)}`,
    );
    return { ...lag, tracker: runtime, loadAverage: loadAverage() };
  });
}

async function replicasPhase(single?: number) {
  return withRig('replicas', async (rig) => {
    const events = mixedStreamLength(SIZES.flows);
    await publishAll(rig.js, mixedStream('r', SIZES.flows, SIZES.wave), { label: 'stream', total: events, say });
    const replicas = await drainByTrackers(rig, 'r', SIZES.replicas);
    say(
      `${SIZES.replicas} replicas: ${replicas.eventsPerSecond} events/s, CPU ${JSON.stringify(replicas.cpuPercentOfOneCore)}`,
    );
    return {
      replicas: SIZES.replicas,
      ...replicas,
      vsOneTracker: single ? round(replicas.eventsPerSecond / single, 3) : null,
    };
  });
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  say(
    `sizes ${JSON.stringify(SIZES)}; skipped: ${skipped.join(', ') || 'none'}; tracker env ${JSON.stringify(trackerEnv())}`,
  );
  const failures: Record<string, string> = {};
  // A phase that fails is reported as such; the others still run.
  const run = async <T>(phase: (typeof PHASES)[number], body: () => Promise<T>) => {
    if (skipped.includes(phase)) return undefined;
    return body().catch((error: unknown) => {
      failures[phase] = error instanceof Error ? (error.stack ?? error.message) : String(error);
      say(`${phase} failed: ${failures[phase]}`);
      return undefined;
    });
  };
  const drain = await run('drain', drainPhase);
  const openFlows = await run('open', openPhase);
  const endedFlows = await run('ended', endedPhase);
  const lag = await run('lag', lagPhase);
  const replicas = await run('replicas', () => replicasPhase(drain?.tracker.eventsPerSecond));
  const result = {
    machine: {
      ...machine(),
      line: `${process.platform} ${process.arch}, ${os.cpus().length} cores, node ${process.version}`,
    },
    startedAt,
    finishedAt: new Date().toISOString(),
    loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    sizes: SIZES,
    skipped,
    failures,
    trackerEnv: trackerEnv(),
    acceptance: acceptanceRows({
      ratioForAwait: drain?.ratio.trackerVsForAwait,
      ratioCallback: drain?.ratio.trackerVsCallback,
      rssOpenMiB: openFlows?.rssMiB,
      rssOpenIdleMiB: openFlows?.idle.rssMiB,
      endedRatio: endedFlows?.ratio,
      lagP99Ms: lag?.lagMs.p99,
      lagRate: SIZES.lagRate,
    }),
    drain,
    openFlows,
    endedFlows,
    lag,
    replicas,
  };
  console.table(result.acceptance);
  const complete =
    skipped.length === 0 &&
    Object.keys(failures).length === 0 &&
    Object.entries(ACCEPTANCE_SIZES).every(([k, v]) => SIZES[k as keyof typeof SIZES] >= v);
  writeTrackerResult(result, complete, say);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
