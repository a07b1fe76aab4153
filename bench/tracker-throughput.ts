// Benchmark (not a test): how fast one process tracker ingests, persists and acks events, against a
// plain nats.js durable consumer draining the same stream in the same run; its memory with 100,000
// flows in progress; and the lag from publish to a visible status. `npm run bench:tracker`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AckPolicy, connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { REPO_ROOT } from '../deploy/launch/binaries';
import { startNatsServer } from '../deploy/launch/nats-server';
import { httpJson, waitFor } from '../deploy/launch/probe';
import { ensureStreams } from '../libs/messaging/src/streams';
import { flowEvents, SCENARIOS, startTracker } from '../test/support/tracker';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 60_000);
const IN_PROGRESS_FLOWS = Number(process.env.BENCH_FLOWS ?? 100_000);
const LAG_SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 2000);
const say = (line: string) => process.stdout.write(`[bench:tracker] ${line}\n`);

async function publish(js: JetStreamClient, messages: { type: string }[], label: string): Promise<void> {
  for (let i = 0; i < messages.length; i += 1000) {
    await Promise.all(messages.slice(i, i + 1000).map((m) => js.publish(m.type, JSON.stringify(m))));
    if ((i / 1000) % 10 === 0) say(`${label}: published ${Math.min(i + 1000, messages.length)}/${messages.length}`);
  }
}

/** Events per second at which a plain durable consumer (consume, ack each) drains the stream. */
async function baseline(nc: NatsConnection, jsm: JetStreamManager, total: number): Promise<number> {
  await jsm.consumers.add('EVENTS', {
    durable_name: 'bench-baseline',
    ack_policy: AckPolicy.Explicit,
    max_ack_pending: 20_000,
  });
  const messages = await (
    await nc.jetstream().consumers.get('EVENTS', 'bench-baseline')
  ).consume({ max_messages: 1000 });
  const started = performance.now();
  const cpu = process.cpuUsage();
  let seen = 0;
  for await (const m of messages) {
    m.ack();
    if (++seen >= total) break; // leaving the loop stops the consumer (a close() after it never resolves)
  }
  await waitFor(async () => (await jsm.consumers.info('EVENTS', 'bench-baseline')).num_ack_pending === 0 || undefined, {
    timeoutMs: 60_000,
    what: 'baseline acks',
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  say(`plain consumer process CPU: ${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(0)} % of one core`);
  return total / seconds;
}

/** CPU seconds used so far by each running process whose command line contains one of `names` (Linux). */
function cpuSeconds(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const name = names.find((n) => cmdline.includes(n));
      if (!name) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Events per second from the tracker's first ack to its last one, and the CPU each process used meanwhile. */
async function trackerRate(
  jsm: JetStreamManager,
  total: number,
): Promise<{ rate: number; cpu: Record<string, number> }> {
  const watched = ['process-tracker', 'nats-server'];
  let before: Record<string, number> = {};
  const first = await waitFor(
    async () => {
      if ((await jsm.consumers.info('EVENTS', 'process-tracker')).ack_floor.stream_seq === 0) return undefined;
      before = cpuSeconds(watched);
      return performance.now();
    },
    { timeoutMs: 60_000, intervalMs: 20, what: 'the first ack' },
  );
  const last = await waitFor(
    async () => {
      const info = await jsm.consumers.info('EVENTS', 'process-tracker');
      return info.num_pending === 0 && info.num_ack_pending === 0 ? performance.now() : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 20, what: `the tracker to ack ${total} events` },
  );
  const after = cpuSeconds(watched);
  const seconds = (last - first) / 1000;
  const cpu = Object.fromEntries(
    watched.map((n) => [n, Math.round((((after[n] ?? 0) - (before[n] ?? 0)) / seconds) * 100)]),
  );
  return { rate: total / seconds, cpu };
}

async function rssBytes(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`);
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(await res.text())?.[1] ?? NaN);
}

/** Publish → `flow.running` on NATS (the tracker has persisted the new flow), for fresh orders. */
async function lag(nc: NatsConnection, js: JetStreamClient): Promise<{ p50: number; p99: number }> {
  const sentAt = new Map<string, number>();
  const lags: number[] = [];
  const sub = nc.subscribe('flow.running', {
    callback: (_e, m) => {
      const key = m.json<{ key: string }>().key;
      const t = sentAt.get(key);
      if (t !== undefined) lags.push(performance.now() - t);
    },
  });
  for (let i = 0; i < LAG_SAMPLES; i++) {
    const [event] = flowEvents(`lag-${i}`, ['order.placed'], Date.now());
    sentAt.set(`lag-${i}`, performance.now());
    await js.publish(event.type, JSON.stringify(event));
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20)); // about 500 flows a second, not saturation
  }
  await waitFor(() => lags.length >= LAG_SAMPLES || undefined, { timeoutMs: 60_000, what: 'every lag sample' });
  sub.unsubscribe();
  lags.sort((a, b) => a - b);
  return { p50: lags[Math.floor(lags.length * 0.5)], p99: lags[Math.floor(lags.length * 0.99)] };
}

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm);
  try {
    const names = Object.keys(SCENARIOS);
    const events = [];
    for (let i = 0; events.length < EVENTS; i++)
      events.push(...flowEvents(`b-${i}`, SCENARIOS[names[i % names.length]], Date.now() + i));
    await publish(js, events.slice(0, EVENTS), 'burst');
    say('draining with a plain nats.js durable consumer...');
    const plain = await baseline(nc, jsm, EVENTS);
    say(`plain consumer: ${plain.toFixed(0)} events/s; starting the tracker...`);
    // Watch from before the start: the tracker consumes as soon as it boots, before it reports healthy.
    const measuring = trackerRate(jsm, EVENTS);
    const profile = process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const tracker = await startTracker(
      nats.url,
      {
        FLOW_TIMEOUT_MS: '3600000',
        ...(process.env.TRACKER_BATCH_SIZE ? { TRACKER_BATCH_SIZE: process.env.TRACKER_BATCH_SIZE } : {}),
      },
      profile,
    );
    const { rate: ingest, cpu } = await measuring;
    const kvWrites = (await jsm.streams.info('KV_flows')).state.last_seq;
    say(`KV writes: ${kvWrites} for ${EVENTS} events`);
    say(
      `tracker: ${ingest.toFixed(0)} events/s; CPU meanwhile (% of one core): tracker ${cpu['process-tracker']}, nats-server ${cpu['nats-server']}`,
    );
    const placed = Array.from(
      { length: IN_PROGRESS_FLOWS },
      (_, i) => flowEvents(`open-${i}`, ['order.placed'], Date.now())[0],
    );
    await publish(js, placed, 'in-progress flows');
    await waitFor(
      async () => {
        const i = await jsm.consumers.info('EVENTS', 'process-tracker');
        return (i.num_pending === 0 && i.num_ack_pending === 0) || undefined;
      },
      { timeoutMs: 600_000, intervalMs: 200, what: 'the in-progress flows' },
    );
    const inProgress = (await httpJson<{ items: unknown[] }>(`${tracker.url}/flows?status=running&limit=1`)).status;
    const rss = await rssBytes(tracker.url);
    say(
      `RSS with ${IN_PROGRESS_FLOWS} flows in progress: ${(rss / 2 ** 20).toFixed(0)} MiB (GET /flows ${inProgress})`,
    );
    const latency = await lag(nc, js);
    await tracker.stop();
    const result = {
      machine: `${process.platform} ${process.arch}, ${os.cpus().length} cores, node ${process.version}`,
      events: EVENTS,
      plainConsumerEventsPerSecond: Math.round(plain),
      trackerEventsPerSecond: Math.round(ingest),
      ratio: Number((ingest / plain).toFixed(3)),
      kvWritesPerEvent: Number((kvWrites / EVENTS).toFixed(3)),
      cpuPercentDuringIngest: { tracker: cpu['process-tracker'], natsServer: cpu['nats-server'] },
      rssMiBWithFlowsInProgress: { flows: IN_PROGRESS_FLOWS, rssMiB: Math.round(rss / 2 ** 20) },
      lagPublishToStatusMs: {
        samples: LAG_SAMPLES,
        p50: Number(latency.p50.toFixed(1)),
        p99: Number(latency.p99.toFixed(1)),
      },
      at: new Date().toISOString(),
    };
    console.table({
      'plain consumer (events/s)': result.plainConsumerEventsPerSecond,
      'tracker (events/s)': result.trackerEventsPerSecond,
      'ratio tracker/plain': result.ratio,
      [`RSS, ${IN_PROGRESS_FLOWS} flows in progress (MiB)`]: result.rssMiBWithFlowsInProgress.rssMiB,
      'lag publish→status p50 (ms)': result.lagPublishToStatusMs.p50,
      'lag publish→status p99 (ms)': result.lagPublishToStatusMs.p99,
    });
    const out = path.join(REPO_ROOT, 'bench', 'results', 'tracker-throughput.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    say(`written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await nc.close();
    await nats.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
